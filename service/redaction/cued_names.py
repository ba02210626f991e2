"""Names written in capitals or in lower case right after a word that introduces a person:
`cardholder EMILY CLARK`, `customer: SANTOS, MARIA`, `customer james brown requested a refund`.

The capitalised-run search (`names.py`) looks for `Emily Clark`; upper- and lower-case names
are found only where a cue vouches for them. Right after a role word (`customer`, `payee`,
`recipient`) the next two words are a name unless the phrase reads as something else: a word
that names a thing, a group or a system rather than a person (`customer SUPPORT TEAM`,
`user admin logged in`, `customer portal session`), a function word (`contact your bank`)
or a verb form (`customer requested refund`, `user logged in`, `client sends request`).
Whether each word is an ordinary English word does not count: names made of English words
(`customer amber baker`, `customer ROSE HILL`) are as common as any.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import regex

from service.redaction.csv_rows import headerless_row_cells
from service.redaction.lexicon import Lexicon
from service.redaction.names import CASELESS_WORD, LOG_VOCABULARY, NAME_PARTICLE
from service.redaction.values import (
    BANK_WORDS,
    COMPANY_SUFFIXES,
    GROUP_WORDS,
    NOT_A_PERSON,
    names_a_place,
    names_a_thing,
)

# Cues that name a person's role; prepositions (`by`) and titles (handled in `names.py`) are
# too loose before a lower-case word.
_NOT_NOMINAL = frozenset(
    ("by", "signed", "dear", "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "named", "name")
)
_UPPER_WORD = r"\p{Lu}[\p{Lu}\p{M}'\u2019-]+"
_LOWER_WORD = r"\p{Ll}[\p{Ll}\p{M}'\u2019-]+"
_UPPER_WORDS = regex.compile(_UPPER_WORD)
# `SURNAME/GIVEN`, as card tracks and airline bookings write a name: the given name's part.
_SLASH_THEN_GIVEN_NAME = rf"/{_UPPER_WORD}(?=[ \t]|$)"
_CARD_HOLDER_CUES = frozenset(("cardholder", "holder"))
# Titles airline bookings write after `SURNAME/GIVEN`.
_BOOKING_TITLES = frozenset(("mr", "mrs", "ms", "miss", "mstr", "dr"))
# The name field of a card's magnetic track 1 (ISO/IEC 7813): `%B4111…^DOE/JOHN A.MR^2612…`,
# the name between carets, the card number's digits before it, the expiry date's after it.
_TRACK_ONE_NAME = regex.compile(
    r"(?<=\d{12}\^)(\p{Lu}[\p{Lu}\p{M} '.-]{0,25}/[\p{Lu}\p{M} '.-]{0,25})(?=\^\d{4})"
)
# Words that, after a role word, say the phrase is not a person: function words, verbs
# English inflects irregularly, and (`values.NOT_A_PERSON`) nouns for things, groups and
# systems that logs write after `customer`, `user`, `client`, `contact`.
_NOT_A_NAME = (
    NOT_A_PERSON
    | COMPANY_SUFFIXES
    | frozenset(
        """
    something anything nothing everything someone anyone everyone somebody anybody else
    what which who whom whose where when why how whether while though although because since
    until unless about above across after against along among around before behind below
    beneath beside between beyond during except inside into near onto outside through
    toward towards under upon within without again ever never always often sometimes soon
    still yet already very too quite rather more most less least much many few several such
    both either neither none nor so thus hence therefore however instead otherwise me him us
    them you we they she he i mine yours ours theirs myself yourself itself themselves
    is was are were be been being has had have having will would can could should may might
    must not no yes do does did its it this that these those their your our my his her all any
    each every some one two new old own same other here there now then also just only via per
    first last total chose took made gave got sent left came went said told saw bought sold
    found lost kept began ran paid wrote spent up out in off on over back down to at for of
    with from as and or but if then than today yesterday tomorrow
    backend frontend middleware perf stat
    """.split()  # noqa: SIM905
    )
    | frozenset(
        # The same for the languages of the policy's regions (French, Spanish, Italian,
        # Portuguese, German, Dutch): `client injoignable ce matin`, `client joint par mail`.
        # Not the particles names hold (`de`, `da`, `van`), nor words that are also names
        # somewhere (`son`, `mai`, `nie`, `sin`, `hoy`, `au`, `des`, `sem`, `hay`, `pero`,
        # `bei`, `weil`, `dans`, and `sans`, `auch`, `este`, `und`, `werd`, which Faker's
        # lists of names hold).
        """
    ce cet cette ces par pour avec chez hier demain aujourd est sont été pas mais donc
    très aussi encore déjà toujours jamais leur leurs notre votre nous vous ils elles qui que
    quand comme selon vers après avant depuis
    por para con desde hasta ayer esta estos estas muy también nunca siempre fue está
    están sobre entre cuando donde porque
    senza ieri oggi domani questo questa questi stato stata molto anche già sempre dopo
    perché
    não com ontem hoje amanhã pelo pela foi são estão muito também nunca sempre onde
    ist sind wurde wurden nicht mit für nach heute gestern oder aber sehr schon noch
    immer wenn dass
    niet voor naar vandaag gisteren heeft hebben maar ook altijd wanneer omdat
    """.split()  # noqa: SIM905
    )
    # Forms of address a greeting takes in a name's place: `Hi Stranger!`, `Thanks, Folks!`.
    | frozenset(
        """
    sir sirs madam folks friend friends stranger colleague colleagues reader readers
    traveller traveler gamer maestro doc kiddo sweetie buddy mate
    """.split()  # noqa: SIM905
    )
)
# A greeting then a name that ends the phrase: `Dear amber baker,`, `Welcome, Amber Baker!`.
_CAPITALISED_WORD = r"\p{Lu}\p{Ll}[\p{L}\p{M}'\u2019-]*"
# A capitalised given name alone counts when a comma, `!` or the line's end closes it (`Hi
# Tiffany,`, `Thanks Oliver!`, `Regards, Fatima`) and it is no ordinary English word (`Hello
# World!`, `Hi Team,`). Sign-offs count as greetings do (`Kind regards, Ana Ruiz`); `Love,`
# and `Yours,` only with their comma (`love Paris, said the campaign`).
_GREETING = regex.compile(
    rf"(?<![\w-])(?:(?i:dear|hi|hey|hello|welcome|thanks|regards|cheers|best|sincerely"
    rf"|cordially|happy[ \t]+birthday|congratulations|congrats)(?:[ \t]*+,)?"
    rf"|(?i:love|yours)[ \t]*+,)[ \t]++"
    rf"(?:({_LOWER_WORD}[ \t]+{_LOWER_WORD}"
    rf"|{_CAPITALISED_WORD}(?:[ \t]+{_CAPITALISED_WORD}){{1,2}})(?=[ \t]*(?:[,!.:]|$))"
    rf"|({_CAPITALISED_WORD})(?=[ \t]*(?:[,!]|$)))"
)
_GREETING_WORDS = frozenset(
    (
        "dear", "hi", "hey", "hello", "welcome", "thanks", "regards", "cheers", "best",
        "sincerely", "cordially", "birthday", "congratulations", "congrats", "love", "yours",
    )
)  # fmt: skip
# Whom one speaks with is a person: `spoke with Thandiwe`, `met with Esperanza`, `emailed Ebele
# about the refund`. One capitalised word alone after such a verb is a given name when it is
# no ordinary English word (`met with Finance`, `emailed Support`) nor a log word; a second
# capitalised word makes it a full name, which the name search and NER judge.
_CONVERSATION = regex.compile(
    r"(?<![\w-])(?i:(?:spoke|spoken|speaking|talked|talking|chatted|chatting|met|meeting)"
    r"[ \t]+(?:with|to)|phoned|emailed|e-mailed|messaged|texted|contacted"
    r"|ask|asked|asking|tell|told|remind|reminded|thanked)"
    rf"[ \t]++({_CAPITALISED_WORD})(?![\w-])(?![ \t]+\p{{Lu}})"
)
# `assigned to Chidinma`, `escalated to Oluwaseun`: work handed to one person. Teams are
# handed work too (`assigned to Platform`, `escalated to Billing`), so here the word must be
# no English word at all, not merely no ordinary one.
_HANDED_TO = regex.compile(
    r"(?<![\w-])(?i:(?:re)?assigned|escalated|handed(?:[ \t]+over)?|forwarded|transferred)"
    rf"[ \t]+to[ \t]++({_CAPITALISED_WORD})(?![\w-])(?![ \t]+\p{{Lu}})"
)
_HANDED_TO_WORDS = frozenset(
    ("assigned", "reassigned", "escalated", "handed", "forwarded", "transferred")
)
# What people do and software seldom does, so that one word no English word before or after
# it is a given name: `Kemi reported that…`, `escalated by Nomvula`. Verbs that gateways,
# bots, billing systems and schedulers do too (`requested`, `paused`, `cancelled`, `called`,
# `blocked`, `updated`) are not here: `Dependabot requested review`, `paused by Chargebee`.
_PERSON_VERBS = frozenset(
    """
    reported phoned said wrote emailed complained agreed replied responded mentioned
    upgraded downgraded subscribed unsubscribed disputed escalated wants writes complains
    """.split()  # noqa: SIM905
)
# Found by the verb first (rare in a line), then the words before it are looked at: one
# capitalised word, or two lower-case ones (`kwame asante-mensah complained`). The name opens
# a sentence: at the line's start, after an end of sentence (not an initial's or a title's
# full stop: `Ngozi A. Okafor disputed`), a colon, a bracket, a bar or a dash, or inside an
# opening quote (not an apostrophe: `Kemi O'Neil`).
_ACTING_VERB = regex.compile(rf"[ \t]({'|'.join(sorted(_PERSON_VERBS))})\b")
_SENTENCE_OPENING = (
    r"(?:^|(?<=\p{Ll}{2}[.!?][ \t]{1,3})|(?<=[:\]>|-][ \t]{1,3})|(?<=[=\[(]|(?<!\p{L})[\"']))"
)
_NAME_OPENING_A_SENTENCE = regex.compile(
    rf"{_SENTENCE_OPENING}(?:({_CAPITALISED_WORD})|({_LOWER_WORD}[ \t]+{_LOWER_WORD}))\Z"
)
_NAME_REACH = 64
# A first and last name opening a sentence, or after a log level or a timestamp, before
# `disputed` is a person's even when both are English words (`Grace Long disputed the
# charge`). Only that verb: software and teams phone, email, agree, complain and say too
# (`INFO Auto Dialer phoned…`, `Health Probe said ok`, `INFO Etcd agreed on term 7`), and a
# single word after a level is software as often as a given name (an earlier rule took 187
# software and team names; this stop's review, `WARN Mypy complained`, `INFO Vonage phoned`).
_DISPUTED = "disputed"
_LOG_LEVEL_OR_TIME = (
    r"(?<=(?<![\w-])(?:INFO|WARN|WARNING|ERROR|DEBUG|NOTICE|CRITICAL|FATAL|TRACE)[ \t]{1,3}"
    r"|\d\d:\d\d(?::\d\d)?(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?[ \t]{1,3})"
)
_FULL_NAME_BEFORE_DISPUTED = regex.compile(
    rf"(?:{_SENTENCE_OPENING}|{_LOG_LEVEL_OR_TIME})"
    rf"({_CAPITALISED_WORD}[ \t]+{_CAPITALISED_WORD})\Z"
)
# Someone who says what happened to her or him: `Summer Hill says she was billed twice`,
# `Hope Cook said her card was charged`, `Ngozi A. Okafor says she…`, `Mariana dos Santos
# said he…`. A person's pronoun after what people say is a cue strong enough for names made
# of English words; a team, a system or a place is `it` or `they`. Not after what is done
# (`Apple Pay declined her card`, `Plaid verified his account`: products act on people).
_SAYING_VERBS = frozenset(
    """
    says said reports reported claims claimed tells told explains explained mentions mentioned
    confirms confirmed insists insisted thinks thought believes believed writes wrote notes
    noted complains complained asks asked
    """.split()  # noqa: SIM905
)
_PERSONAL_PRONOUNS = frozenset(("she", "he", "her", "his", "him"))
_OPENS_A_SENTENCE = regex.compile(_SENTENCE_OPENING)
_NAME_RUN_WORD = rf"(?:\p{{Lu}}\.|{NAME_PARTICLE.pattern}|{_CAPITALISED_WORD})"
_NAME_BEFORE_A_PRONOUN = regex.compile(
    rf"(?<![\w'\u2019.-])({_CAPITALISED_WORD}(?:[ \t]+{_NAME_RUN_WORD}){{0,6}}?)[ \t]+"
    rf"(?:{'|'.join(sorted(_SAYING_VERBS))})[ \t]+(?:(?:that|us|me)[ \t]+)?"
    rf"(?:{'|'.join(sorted(_PERSONAL_PRONOUNS))})(?![\w-])"
)
# `paused by Chinonso`, found by `by` first; the word before it is looked at then.
_BY_GIVEN_NAME = regex.compile(
    rf"[ \t]by[ \t]+({_CAPITALISED_WORD})(?![\w-])"
    r"(?![ \t]+\p{Lu}|,[ \t]*\p{Lu})"  # `by Adeyemi, Kemi` is a `Last, First`
)
_WORD_BEFORE = regex.compile(r"(?<![\w-])(\p{L}+)\Z")
_FOLLOWING_WORD = regex.compile(r"[ \t]+(\p{L}+)")
# Endings of English nouns made from other words, which no surname has.
_ABSTRACT_NOUN_SUFFIXES = (
    "tion", "sion", "ment", "ness", "ity", "ance", "ence", "ship", "ism", "ing", "ure", "age",
    "ery", "ogy", "ics",
)  # fmt: skip
_CONVERSATION_WORDS = frozenset(
    (
        "spoke", "spoken", "speaking", "talked", "talking", "chatted", "chatting", "met",
        "meeting", "phoned", "emailed", "mailed", "messaged", "texted", "contacted",
        "ask", "asked", "asking", "tell", "told", "remind", "reminded", "thanked",
    )
)  # fmt: skip
# Words before which two lower-case or capital words may be a name under the strict rule of
# `_foreign_lower_name` (`card of ARJUN MEHTA`, `approved by ravi kumar`); too loose for a
# capitalised run the NER model calls an organisation (`Department of Justice`), so they are
# not the policy's `name_slot_words`.
_CASED_NAME_SLOTS = frozenset(("of", "by"))
# What logs in the policy's other languages (French, Spanish, Italian, Portuguese, German,
# Dutch) say of accounts and their people in lower case, which the English lexicon does not
# know: `user named utilisateur inconnu`, `assigned to agent soporte nivel`. Only for the
# lower-case rules, whose words the lexicon alone judges; some are surnames in capitals.
_FOREIGN_ACCOUNT_WORDS = frozenset(
    """
    client clients cliente clientes clienti kunde kunden klant klanten utilisateur
    utilisateurs usuario usuarios usuário utente utenti utilizador benutzer nutzer gebruiker
    gebruikers compte cuenta conta konto contacto contatto contato kontakt propriétaire
    propietario proprietario proprietário eigentümer eigenaar nouveau nouvelle nueva
    nuovo nuova neuer neues nieuwe nieuw inconnu inconnue desconocido desconocida sconosciuto
    sconosciuta desconhecido desconhecida unbekannt unbekannter onbekend onbekende anonyme
    anónimo anónima anonimo anonima anônimo anonym anoniem sans sin senza sem ohne zonder
    supprimé eliminado eliminato excluído gelöscht verwijderd bloqué bloqueado bloccato
    gesperrt geblokkeerd créé creado creato criado angelegt erstellt aangemaakt registrado
    registado registriert geregistreerd soporte supporto suporte apoio kundendienst
    klantenservice assistenza atención atendimento servicio servizio serviço dienst niveau
    nivel livello nível stufe équipe equipo squadra equipa prueba prova teste essai
    dossier expediente cartella fascicolo prontuário akte historia historial médical
    clínica clinica clinique klinik astreinte bereitschaft plantão
    """.split()  # noqa: SIM905
)
# Jobs and roles a note writes before a person's name (`approved by manager ravi kumar`): not
# the person cues (a capitalised run after `manager` is a product's as often: `by Manager
# Console`), but after a looser cue the name is the two words after them, not the role and
# the given name (which left `kumar` readable).
_ROLE_NOUNS = frozenset(
    """
    manager supervisor agent admin administrator doctor witness officer operator engineer
    analyst representative rep clerk director teller courier driver patient employee staff
    technician nurse attorney lawyer notary auditor inspector accountant cashier dispatcher
    advisor adviser consultant specialist coordinator reviewer approver volunteer
    """.split()  # noqa: SIM905
)
_LOWER_PAIR_AFTER_A_WORD = regex.compile(
    rf"\S+[ \t]+({_LOWER_WORD}[ \t]+{_LOWER_WORD})(?![\w@-]|\.\w)"
)
# A person's login written `first.last` after a word that names who acted (`opened by
# aisha.khan`, `owner=kwame.mensah`, `user "ama.owusu"`): judged as two lower-case words after
# a looser cue.
_USERNAME_CUES = frozenset(
    (
        "by", "owner", "user", "assignee", "author", "requester", "agent", "reviewer",
        "approver", "sender", "recipient", "member", "customer", "contact",
        # who acted or is acted for, and the words a login comes after
        "actor", "operator", "subscriber", "payer", "payee", "holder", "buyer", "seller",
        "employee", "creator", "editor", "submitter", "username", "login", "account",
    )
)  # fmt: skip
# Looser still: after these a login is a person's only when no part of it is English at all
# (`sent to zhang.wei`, not `for node_exporter`).
_USERNAME_PREPOSITIONS = frozenset(("to", "for", "from", "with"))
# Found by its shape first (rare in a line), then the word before it is looked at.
_DOTTED_USERNAME = regex.compile(r"(?<![\w.-])(\p{Ll}{2,}+[._]\p{Ll}{2,}+)(?![\w@.-])")
_CUE_BEFORE_USERNAME = regex.compile(
    rf"(?<![\w-])(?i:({'|'.join(sorted(_USERNAME_CUES | _USERNAME_PREPOSITIONS))}))"
    r"(?:[ \t]*+[=:])?+[ \t]*+[\"']?+\Z"
)
_CUE_REACH = 24  # the longest cue, its `=` or `:`, blanks and a quote
# A chat mention (`@adwoa.boakye`): an `@` that no address's local part comes before.
_MENTIONED_LOGIN = regex.compile(r"@(?<![\w.%+-]@)(\p{Ll}{2,}+[._]\p{Ll}{2,}+)(?![\w@.-])")
# A home directory named after its owner: `/home/ogechi.nnaji/`, `C:\\Users\\AkuaMensah\\`.
# The segment is split at `.`, `_`, `-` and at a capital inside it, and judged as a login of
# no English (`/home/runner`, `/Users/Shared`, `/home/svc_backup` stay); an API's `/users/`
# holds ids and handles, not home directories.
_HOME_DIRECTORY = regex.compile(
    r"(?:/home|/Users|\\Users)[/\\]([\p{L}][\p{L}._-]{2,40})(?=[/\\\s\"',;)]|$)"
)
_LOGIN_PARTS = regex.compile(r"[._-]|(?<=\p{Ll})(?=\p{Lu})")
_HOME_WORDS = frozenset(("home", "users"))
# Extensions of the files a web API serves or takes: `/users/avatar.png`, `openapi.yaml`.
_FILE_EXTENSIONS = frozenset(
    """
    json xml yaml yml toml ini cfg conf env txt csv tsv md html htm css js mjs map png jpg
    jpeg gif svg ico webp bmp tiff pdf doc docx xls xlsx zip gz tar tgz lock log graphql lua
    woff woff2 ttf otf ogg mp3 mp4 wav webm
    """.split()  # noqa: SIM905
)
# A login in an API's path, after the collection of people it names (`GET
# /users/cindy.harmon/profile`, `/members/ana_silva`): judged as after a person's key.
_PEOPLE_COLLECTIONS = ("users", "members", "people", "profiles", "customers", "employees")
_LOGIN_IN_A_PATH = regex.compile(
    rf"/(?:{'|'.join(_PEOPLE_COLLECTIONS)})/(\p{{Ll}}{{2,}}+[._]\p{{Ll}}{{2,}}+(?:[._]\p{{Ll}}{{2,}}+)?)"
    r"(?=[/?#\s\"',;)]|$)"
)
_INFLECTIONS = ("ing", "ies", "ied", "ed", "es", "s")
# Software and services a log talks to or about as if they were people (`asked Stripe`,
# `told Jenkins`), which the English lexicon does not know. For words a cue only suggests are
# a name (after a verb, before a pronoun, in a list); under a person's key
# (`cardholder: Jenkins`) the word is still a surname.
SOFTWARE_NAMES = frozenset(
    """
    jenkins redis kubernetes postgres postgresql mysql kafka docker terraform ansible nginx
    grafana prometheus datadog sentry pagerduty opsgenie slack github gitlab bitbucket jira
    confluence zendesk salesforce hubspot twilio sendgrid mailgun okta openbao celery
    rabbitmq elasticsearch kibana airflow helm istio consul nomad paypal adyen braintree
    quickbooks xero netsuite shopify magento dependabot renovate snyk codecov sonarqube
    sonarcloud circleci buildkite argocd spinnaker teamcity cloudflare envoy tomcat haproxy
    traefik etcd zookeeper memcached varnish fastly akamai heroku netlify vercel sidekiq
    resque gunicorn uwsgi logstash fluentd filebeat jaeger zipkin linkerd keycloak kubelet
    kubectl minikube podman containerd rancher openshift
    """.split()  # noqa: SIM905
)


# Slot words before which a name is as often a place's or a thing's: `shipped from Sao
# Paulo`, `Kafka and Zookeeper`.
PLACE_SLOTS = frozenset(("and", "from"))
# A name in a script without case (`customer 李娜`, `paused by 김민준`, `Dear 佐藤健`) is
# neither capitalised nor lower case: after a role cue, one to three such words are a name.
# Not after a slot word (`payment sent to 支付宝`, `status changed to 已发货`).
_CASELESS_LETTER = regex.compile(r"\p{Lo}")


# Two to four words in capitals, two of them no English word, none a log word or software,
# each with a vowel and three to twelve letters: a name however the line is cased (`WARN
# TOMOKO YAMADA`, `LEILA HADDAD'S CARD`); acronyms and codes (`AWS SQS`, `PCI DSS`) are not.
# A possessive may be written in lower case after capitals (`ANDREW HARRIS's request`).
_UPPER_RUN = regex.compile(
    rf"(?<![\w'\u2019.-]){_UPPER_WORD}(?:[ \t]+{_UPPER_WORD})+(?:(?<=['\u2019])s)?(?![\w.-])"
)
_POSSESSIVE = regex.compile(r"['\u2019]S?\Z")
# A lower-case full name as the owner of something a customer has: `per benoît dupré's
# request`, `luzie lange's card`.
_OWNED_THINGS = (
    "request", "account", "card", "subscription", "plan", "order", "invoice", "payment",
    "refund", "email", "phone", "address", "profile", "booking", "mandate", "details",
)  # fmt: skip
_LOWER_POSSESSOR = regex.compile(
    rf"(?<![\w'\u2019.-])({_LOWER_WORD}[ \t]+\p{{Ll}}[\p{{Ll}}\p{{M}}-]+)['\u2019]s[ \t]+"
    rf"(?:{'|'.join(_OWNED_THINGS)})\b"
)
# A cell of a row holding nothing but words in capitals (`,BAUM,`, `;PAUL GILLET;`).
_UPPER_CELL_WORDS = regex.compile(rf"{_UPPER_WORD}(?:[ ]{_UPPER_WORD}){{0,3}}")
_UPPER_CELL = regex.compile(
    rf"(?:^|[,;|\t])[ ]*{_UPPER_CELL_WORDS.pattern}[ ]*(?:[,;|\t]|$)", regex.MULTILINE
)
# A title alone in its cell before a name's (`MRS;GRACE;BAKER`, `Dr.,JOHN,SMITH`). Without
# its period a title's letters are as often something else in a row of capitals: `DR` a
# ledger's debit, `MS` milliseconds, `MISS` a cache's, `MSTR` a ticker, `MR` a merge request,
# a country or a scan (`MR;ORION;RELEASE`, `MR,KNIE,LINKS`), `MRS` an airport; `Mr` and `Mrs`
# count bare only before a whole name, and so do the German, French and Dutch forms of
# address that are no code (`HERR;WEBER;JÜRGEN`, not `FRAU;GESAMT;1234`; `MME` is a mobile
# network's entity, `DHR` a ticker) unless the next cell is one too (`HERR;FRAU;DIVERS`).
_CELL_TITLE = regex.compile(r"(?i:mr|mrs|ms|mx|dr|prof|miss)(\.)|Mrs?|(?i:herr|frau|mlle|mevr)")


class CapitalCells(NamedTuple):
    start: int
    end: int
    cells: tuple[str, ...]  # the text of each cell the name fills, one or two
    unknown: int  # words of four letters or more that are no English word
    titled: bool = False


_TWO_UPPER_WORDS = re.compile(r"[A-Z\u00c0-\u024f]{3}[ \t]+[A-Z\u00c0-\u024f]{3}")
# Lower-case full names listed (`notify: amara okafor, liam byrne, sofia russo`): each item
# two lower-case words, judged as after a looser cue, and two of them at least must pass.
_LOWER_PAIR = rf"{_LOWER_WORD}[ \t]{_LOWER_WORD}"
_LIST_OF_LOWER_PAIRS = regex.compile(
    rf"(?<![\w'\u2019-]){_LOWER_PAIR}(?:[ \t]*+[,;][ \t]*+{_LOWER_PAIR})++(?![\w-])"
)
_LISTED_LOWER_PAIR = regex.compile(_LOWER_PAIR)


_NEXT_UPPER_WORD = regex.compile(rf"[ \t]+({_UPPER_WORD})(?![\w-])")
_NEXT_LOWER_WORD = regex.compile(rf"[ \t]+({_LOWER_WORD})(?![\w-])")
# A title, then two or three lower-case words, particles allowed between them: `Dr. ifeoma
# chukwuma`, `mrs. ngozi okonkwo-eze`, `mr. tomasz kowalczyk`. Titles that abbreviate other
# things in logs — `Dr`/`dr` (disaster recovery), `Mr`/`mr` (merge request), `Ms`/`ms`
# (Microsoft, milliseconds), `Mx` (mail exchange), `Prof` (profiling) — count only with their
# period, lower-case `dr`, `mx`, `prof` and `miss` (a cache miss) never. The words are judged
# as after a looser cue: none an English word.
_LOWER_TITLED = regex.compile(
    r"(?<![\w.])(?:Mrs|Miss|mrs|(?:Dr|Mr|Ms|Mx|Prof|mr)(?=\.)|(?<!\d[ \t]*+)ms(?=\.))\.?[ \t]++"
    rf"({_LOWER_WORD}(?:[ \t]+(?:{NAME_PARTICLE.pattern}[ \t]+){{0,2}}{_LOWER_WORD}){{1,2}})"
    r"(?![\w@=-]|\.\w)"
)
# What a note writes after a person's surname; the surname is taken alone only before these
# or at a clause's end: `3 mrs rebase needed`, `mrs. kustomize overlays`, `mrs rebase to main`
# are merge requests.
_AFTER_A_SURNAME = (
    "twice", "again", "today", "yesterday", "re", "regarding", "about", "who", "says", "said",
    "called", "asked", "wants", "requested", "confirmed", "disputes", "disputed", "emailed",
    "phoned", "wrote", "replied", "responded", "confirms", "complained", "paid", "cancelled",
    "will", "this",
)  # fmt: skip
# Words a note writes right before a person it dealt with: `called mrs o'brien`, `left vm for
# mr. adeyemi`, `cc ms. nwachukwu`.
_CONTACT_BEFORE_A_TITLE = (
    "called", "phoned", "rang", "emailed", "mailed", "contacted", "messaged", "texted", "to",
    "with", "for", "from", "per", "cc", "by", "customer", "client", "patient", "caller",
    "asked", "told", "thanked", "notified", "visited", "refunded", "charged",
)  # fmt: skip
# Titles (save `Prof`, `Mx` and `Miss`) before a surname alone, and only after a word of
# contact: without one, what follows `mrs` is a merge request's (`mrs kustomize.`, `merged mrs
# backports`), what follows `Dr.` or `Mr.` a tool's or a nickname's (`Ms. powershell.`, `ok mr.
# bossman.`), or a sentence of another language (`Consulta con Dr. mañana`). Lower-case `mrs`
# only with its period or before an elided article: `waiting for mrs rebase.`, `blocked by mrs
# backport.` are merge requests still.
_LOWER_TITLED_SURNAME = regex.compile(
    rf"(?<=(?<![\w'-])(?i:{'|'.join(_CONTACT_BEFORE_A_TITLE)})[ \t]++)"
    r"(?:Mrs|mrs(?=\.|[ \t]+[od]['\u2019])|(?:Dr|Mr|Ms|mr)(?=\.)|ms(?=\.))\.?[ \t]++"
    rf"({_LOWER_WORD})(?=[ \t]*+(?:[,.;:!?)\"'-]|$)|[ \t]++(?:{'|'.join(_AFTER_A_SURNAME)})\b)"
)
_ELIDED_ARTICLE = regex.compile(r"[od]['\u2019]\p{Ll}{2}")
_TITLE_WORDS = frozenset(("dr", "mr", "mrs", "ms", "mx", "miss", "prof"))


def _past_particles(text: str, end: int, next_word: regex.Pattern[str] = _NEXT_UPPER_WORD) -> int:
    """The end of a name whose words taken so far end in particles (`ANNELIESE VAN DER`,
    `mariana de la`): the words after them, written in the same case (``next_word``), up to
    the first that is not one."""
    last = text[:end].rsplit(None, 1)[-1]
    while NAME_PARTICLE.fullmatch(last.lower()):
        following = next_word.match(text, end)
        if following is None:
            break
        end, last = following.end(), following.group(1)
    return end


def _a_name_stretch(text: str, stretch: list[tuple[int, int, bool]]) -> Iterator[tuple[int, int]]:
    """Two to four words of capitals (`AGUSTÍN LEONARDO TEJADA PRADO`: two given names, two
    surnames), two of them no English word and none making it a place (`SANTA CLARA`): their
    span. One unknown word is not enough in capitals, where alerts name hardware and services
    (`NVIDIA DRIVER`)."""
    if 2 <= len(stretch) <= 4 and sum(unknown for _, _, unknown in stretch) >= 2:
        start, end = stretch[0][0], stretch[-1][1]
        if not names_a_place(text[start:end]):
            yield start, end


def _past_a_bank_name(
    stretch: list[tuple[int, int, bool]], after_a_bank: bool
) -> list[tuple[int, int, bool]]:
    """Right after a bank word, three words or more start with the bank's name (`BANCO
    SANTANDER MARTHE ROUX`); two are a person's (`SPARKASSE EVELYN WOLF`)."""
    return stretch[1:] if after_a_bank and len(stretch) >= 3 else stretch


def _a_file_name(login: str) -> bool:
    """`avatar.png`, `openapi.yaml`: a dotted word whose last part is a file's extension."""
    _, dot, extension = login.rpartition(".")
    return bool(dot) and extension in _FILE_EXTENSIONS


def _not_an_acronym(word: str) -> bool:
    """Capitals after to/for are read as a name only when each word has four letters or more
    and a vowel (`JOHN O'REILLY`): acronyms are not (`AWS SQS`, `PCI DSS`). Acronyms are
    written in ASCII: a letter outside it (`LÜBS`, `NGỌC`) is taken for a vowel."""
    return len(word) >= 4 and (not word.isascii() or any(vowel in word for vowel in "AEIOUY"))


class CuedNames:
    def __init__(self, cues: Iterable[str], lexicon: Lexicon, slots: Iterable[str] = ()) -> None:
        nominal = sorted(cue for cue in cues if cue not in _NOT_NOMINAL)
        # After looser words (`for`, `to`, `emailed`), lower-case words are a name only when
        # none of them is English: `payout sent to kwame mensah`, not `failed for new card`.
        self._slots = frozenset(slots) | _CASED_NAME_SLOTS
        self._slot_pattern = (
            regex.compile(
                rf"\b(?i:{'|'.join(map(regex.escape, sorted(self._slots)))})[ \t]++"
                rf"({_LOWER_WORD}[ \t]+{_LOWER_WORD}|{_UPPER_WORD}[ \t]+{_UPPER_WORD})"
                r"(?![\w@.-])"
            )
            if self._slots
            else None
        )
        self._lexicon = lexicon
        self._words = frozenset(nominal)
        caseless_cues = frozenset(cues)
        self._caseless_pattern = regex.compile(
            rf"(?<![\w-])(?i:{'|'.join(map(regex.escape, sorted(caseless_cues)))})"
            rf"(?:[ \t]*+[:#=])?+[ \t]*+[\"'(\[]?+"
            rf"({CASELESS_WORD}(?:[ \t]+{CASELESS_WORD}){{0,2}})"
        )
        # Possessive: a long run of blanks after a cue must not be tried at every split.
        # `customer named jorge ramírez`: the name after `named` is the cue's (after other
        # words, `named` opens a table's, a job's or a file's name as often); in lower case
        # judged as after a looser cue, since a thing is named so too (`tenant named alpha
        # staging`).
        self._pattern = regex.compile(
            rf"(?<![\w-])(?i:{'|'.join(map(regex.escape, nominal))})(?:[ \t]*+[:#])?+[ \t]++"
            r"(?:(?i:named)[ \t]++)?+"
            rf"(?:({_UPPER_WORD}(?:,?[ \t]+{_UPPER_WORD}|{_SLASH_THEN_GIVEN_NAME}){{1,2}})(?![\w-])"
            rf"|({_LOWER_WORD}[ \t]+{_LOWER_WORD})(?:[ \t]+({_LOWER_WORD}))?(?![\w-]))"
        )

    def spans(self, text: str, words: frozenset[str]) -> list[tuple[int, int]]:
        found = []
        if not text.isascii() and _CASELESS_LETTER.search(text) is not None:
            found.extend(match.span(1) for match in self._caseless_pattern.finditer(text))
        if not _GREETING_WORDS.isdisjoint(words):
            for match in _GREETING.finditer(text):
                if match.group(1) is not None:
                    if self._a_name(match.group(1).lower().split()):
                        found.append(match.span(1))
                elif self.a_given_name(match.group(2).lower()):
                    found.append(match.span(2))
        if not _CONVERSATION_WORDS.isdisjoint(words):
            for match in _CONVERSATION.finditer(text):
                after = _FOLLOWING_WORD.match(text, match.end(1))
                if after is not None and names_a_thing(after.group(1).lower()):
                    continue  # `emailed Zendesk admin`, `talked to Kubernetes team`
                if self.a_given_name(match.group(1).lower()):
                    found.append(match.span(1))
        if not _HANDED_TO_WORDS.isdisjoint(words):
            for match in _HANDED_TO.finditer(text):
                after = _FOLLOWING_WORD.match(text, match.end(1))
                if after is not None and names_a_thing(after.group(1).lower()):
                    continue  # `assigned to Tier2 queue`
                word = match.group(1).lower()
                if self.a_given_name(word) and not self._lexicon.knows(word):
                    found.append(match.span(1))
        if not _PERSON_VERBS.isdisjoint(words):
            found.extend(self._given_names_acting(text, words))
        if "'s " in text or "\u2019s " in text:
            for match in _LOWER_POSSESSOR.finditer(text):
                if self._foreign_lower_name(match.group(1).split()):
                    found.append(match.span(1))
        if not _PERSONAL_PRONOUNS.isdisjoint(words):
            found.extend(self._names_before_a_pronoun(text))
        if _TWO_UPPER_WORDS.search(text) is not None:
            found.extend(self._upper_runs_of_no_english(text))
        if "," in text or ";" in text:
            found.extend(self._listed_lower_case_names(text))
        if self._slot_pattern is not None and not self._slots.isdisjoint(words):
            for match in self._slot_pattern.finditer(text, overlapped=True):
                run = match.group(1)
                if run.isupper() and not all(map(_not_an_acronym, run.split())):
                    continue  # `to AWS SQS`, `for PCI DSS`
                words_of_run = run.lower().split()
                if words_of_run[0] in self._words:
                    continue  # `sent to subscriber chiara ricci`: the cue's own rule reads it
                if words_of_run[0] in _ROLE_NOUNS:
                    found.extend(self._name_after_a_role(text, match.start(1)))
                    continue
                if self._foreign_lower_name(words_of_run):
                    found.append(match.span(1))
        if not _TITLE_WORDS.isdisjoint(words):
            found.extend(self._lower_case_names_after_a_title(text))
        if "^" in text:
            found.extend(match.span(1) for match in _TRACK_ONE_NAME.finditer(text))
        if "@" in text:
            for match in _MENTIONED_LOGIN.finditer(text):
                if self._login_of_no_english(regex.split(r"[._]", match.group(1))):
                    found.append(match.span(1))  # `@adwoa.boakye`, not `@pytest.fixture`
        if not (_USERNAME_CUES.isdisjoint(words) and _USERNAME_PREPOSITIONS.isdisjoint(words)):
            for match in _DOTTED_USERNAME.finditer(text):
                start = match.start()
                cue = _CUE_BEFORE_USERNAME.search(text[max(0, start - _CUE_REACH) : start])
                if cue is None:
                    continue
                parts = regex.split(r"[._]", match.group(1))
                if self._login_of_a_person(parts) and (
                    cue.group(1).lower() not in _USERNAME_PREPOSITIONS
                    or self._lexicon.none_known(parts)
                ):
                    found.append(match.span(1))
        if any(f"/{collection}/" in text for collection in _PEOPLE_COLLECTIONS):
            for match in _LOGIN_IN_A_PATH.finditer(text):
                login = match.group(1)
                if _a_file_name(login):
                    continue  # `/users/avatar.png`, `/profiles/openapi.yaml`
                if self._login_of_a_person(regex.split(r"[._]", login)):
                    found.append(match.span(1))
        if not _HOME_WORDS.isdisjoint(words):
            for match in _HOME_DIRECTORY.finditer(text):
                parts = [part.lower() for part in _LOGIN_PARTS.split(match.group(1)) if part]
                if 2 <= len(parts) <= 3 and self._login_of_no_english(parts):
                    found.append(match.span(1))
        if self._words.isdisjoint(words):
            return found
        for match in self._pattern.finditer(text):
            group = 1 if match.group(1) is not None else 2
            start, end = match.span(group)
            if "/" in match.group(group):
                cue = match.group(0)[: start - match.start()].strip(" \t:#").lower()
                if self._surname_slash_given_name(cue, match.group(group).lower()):
                    found.append((start, end))
                    continue
                end = text.index("/", start)  # `VAN DAM/JEAN`: the words before it, as before
            words = text[start:end].replace(",", " ").lower().split()
            if len(words) < 2:
                continue
            if (
                group == 2
                and text[match.start() : start].rstrip().lower().endswith("named")
                and not self._foreign_lower_name(words[:2])
            ):
                continue  # `user named utilisateur inconnu`: two words as after a looser cue
            if not self._a_name(words):
                # `CUSTOMER SIONE TUIPULOTU UPDATED CARD`: three capitals taken, the last a verb
                if group != 1 or len(words) != 3 or not self._a_name(words[:2]):
                    continue
                end = [word.end() for word in _UPPER_WORDS.finditer(text, start, end)][1]
            if group == 1:
                end = _past_particles(text, end)  # `ANNELIESE VAN DER BERG`
            third = match.group(3)
            if third is not None and self._a_third_word(third):
                end = match.end(3)  # `customer mary ann smith`
            if group == 2:
                end = self._past_lower_particles_and_second_surname(text, end)
            found.append((start, end))
        return found

    def _surname_slash_given_name(self, cue: str, run: str) -> bool:
        """`cardholder BLANCO/EMILY`, `customer SMITH/JOHN MR`: a name as card tracks and
        airline bookings write it, surname first — after a card holder's cue or before a
        booking's title; after other cues a slash joins the like of `ANDROID/IOS`,
        `PLATFORM/SRE`, `SCOTT/TIGER`. No part an ordinary English word, a log word, a thing
        or software (`READ/WRITE`, `NGINX/APACHE`), and one of four letters or more."""
        words = run.replace("/", " ").split()
        titled = words[-1] in _BOOKING_TITLES
        if titled:
            words = words[:-1]
        if not (titled or cue in _CARD_HOLDER_CUES):
            return False
        if len(words) != 2 or not self._could_be_name_words(words):
            return False
        lexicon = self._lexicon
        return any(len(word) >= 4 for word in words) and not any(
            word in SOFTWARE_NAMES or lexicon.ordinary(word) for word in words
        )

    def _past_lower_particles_and_second_surname(self, text: str, end: int) -> int:
        """`contact: mariana de la cruz villanueva`: a lower-case name taken up to its
        particles goes on to the surname after them, and to a second surname that can be
        nothing else."""
        past = _past_particles(text, end, _NEXT_LOWER_WORD)
        if past == end or not self._a_surname_after_particles(text[:past].rsplit(None, 1)[-1]):
            return end  # `tenant compte de la configuration`: an English word is no surname
        second = _NEXT_LOWER_WORD.match(text, past)
        if second is not None and self._a_surname_word(second.group(1)):
            return second.end()
        return past

    def _a_surname_word(self, word: str) -> bool:
        return self._a_third_word(word) and not self._lexicon.knows(word)

    def _a_surname_after_particles(self, word: str) -> bool:
        """After particles, also a word WordNet knows only as a noun, as it knows many
        surnames (`van den bosch`, `de la rosa`, `van der berg`), unless made with a suffix of
        abstract nouns (`de la configuration`, `de la direction`)."""
        lexicon = self._lexicon
        return self._a_surname_word(word) or (
            self._a_third_word(word)
            and lexicon.only_a_noun(word)
            and not word.endswith(_ABSTRACT_NOUN_SUFFIXES)
        )

    def _lower_case_names_after_a_title(self, text: str) -> Iterator[tuple[int, int]]:
        """`Dr. ifeoma chukwuma`, `mrs. ngozi okonkwo`: a title does not vouch for lower-case
        words as a role word does (`Ms. outlook oauth`, `Prof. pprof heap`): every word must be
        unknown to the lexicon, and none software or a thing."""
        for match in _LOWER_TITLED.finditer(text):
            taken = list(regex.finditer(r"\S+", match.group(1)))
            # `Dr. ifeoma chukwuma approved`: the longest that passes, English words left off
            # its end; a word neither English nor a particle ends the search
            # (`El Dr. revisó la cita del paciente` is Spanish, no name)
            while len(taken) >= 2:
                if self.titled_lower_case_name([word.group() for word in taken]):
                    yield match.start(1), match.start(1) + taken[-1].end()
                    break
                last = taken.pop().group()
                if not NAME_PARTICLE.fullmatch(last) and not self._lexicon.knows(last):
                    break
        for match in _LOWER_TITLED_SURNAME.finditer(text):
            if self.titled_lower_case_surname(match.group(1)):
                yield match.span(1)

    @staticmethod
    def software(words: list[str]) -> bool:
        """A word of these names software, in any case: `Mr renovate bot bump`."""
        return any(word.lower() in SOFTWARE_NAMES for word in words)

    def titled_lower_case_name(self, words: list[str]) -> bool:
        """Lower-case words after a title, particles aside: two or more, none an English word
        nor software nor a thing."""
        particles = [bool(NAME_PARTICLE.fullmatch(word)) for word in words]
        if True in particles:
            first = particles.index(True)
            # particles open the surname only: `nomvula de klerk`, `ana dos santos`
            if first == 0 or particles[-1] or not all(particles[first:-1]):
                return False
        words = [word for word in words if not NAME_PARTICLE.fullmatch(word)]
        return (
            len(words) >= 2
            and not self._names_a_thing(words)
            and self._could_be_name_words(words)
            and self._lexicon.none_known(words)
        )

    def titled_lower_case_surname(self, word: str) -> bool:
        """One lower-case word after a title: four letters or more (`mrs wip`), no particle,
        no English word, software or thing (`Prof. pprof`, `Ms. outlook`). An Irish or Italian
        surname's elided article vouches for it, though WordNet lists the famous (`o'brien`)."""
        return (
            len(word) >= 4
            and not NAME_PARTICLE.fullmatch(word)
            and not self.software([word])
            and self._could_be_name_words([word])
            and (_ELIDED_ARTICLE.match(word) is not None or self._lexicon.none_known([word]))
        )

    def _names_before_a_pronoun(self, text: str) -> Iterator[tuple[int, int]]:
        """`Summer Hill says she…`: the run before the verb, log words in front of it left out
        (`Customer Grace Long said her…`). Not a thing, group, software or log word (`The
        Support Team said he…`, `Stripe says his…`); one word alone only if no ordinary
        English word (`Jordan`, not `Legal said she…`), opening a sentence (not `Amara Nwosu
        from Lagos said she…`) and not left after a role (`Account Manager said he…`)."""
        for match in _NAME_BEFORE_A_PRONOUN.finditer(text):
            words = list(regex.finditer(r"\S+", match.group(1)))
            trimmed = False
            while words and words[0].group().lower() in LOG_VOCABULARY:
                words.pop(0)
                trimmed = True
            lowered = [word.group().lower().rstrip("'\u2019") for word in words]
            if not lowered or self._names_a_thing(lowered):
                continue
            if len(lowered) == 1 and (
                trimmed
                or not self.a_given_name(lowered[0])
                or _OPENS_A_SENTENCE.match(text, match.start(1)) is None  # `from Lagos said`
            ):
                continue
            offset = match.start(1)
            yield offset + words[0].start(), offset + words[-1].end()

    def _names_a_thing(self, words: list[str]) -> bool:
        """A word of the run names a thing, a group, software or a log's word: `Support
        Team`, `Mailgun Relay`, `Health Check`."""
        return names_a_thing(" ".join(words)) or any(
            word in _NOT_A_NAME
            or word in LOG_VOCABULARY
            or word in SOFTWARE_NAMES
            or word in GROUP_WORDS
            for word in words
        )

    def _listed_lower_case_names(self, text: str) -> Iterator[tuple[int, int]]:
        """`amara okafor, liam byrne, sofia russo`: the items that pass as a name after a looser
        cue, when two of them at least do, and none names software or a thing (`grafana
        loki`)."""
        for listed in _LIST_OF_LOWER_PAIRS.finditer(text):
            names = [
                item.span()
                for item in _LISTED_LOWER_PAIR.finditer(text, listed.start(), listed.end())
                if self._foreign_lower_name(item.group().split())
                and not self._names_a_thing(item.group().split())
            ]
            if len(names) >= 2:
                yield from names

    def _upper_runs_of_no_english(self, text: str) -> Iterator[tuple[int, int]]:
        """Within each run of words in capitals, every stretch of two to four words that
        could be nothing but a name: two of them no English word, any other a noun only
        (`HELD: DARIA KOVAL`, `LEILA HADDAD'S CARD`, `MARIA JOSÉ GONZÁLEZ ASKED`). Not before a
        company's legal form (`STADTWERKE MUENCHEN GMBH`); right after a bank word three
        words or more start with the bank's name (`BANCO SANTANDER MARTHE ROUX`)."""
        if not self._lexicon.available:
            return
        for match in _UPPER_RUN.finditer(text):
            stretch: list[tuple[int, int, bool]] = []
            after_a_bank = False
            for word in _UPPER_WORDS.finditer(text, match.start(), match.end()):
                bare = _POSSESSIVE.sub("", word.group())
                lower = bare.lower()
                if lower not in BANK_WORDS and self._may_be_a_name_in_capitals(lower):
                    # An unknown word of three letters is as likely an acronym (`AWS LAMBDA`).
                    unknown = len(bare) >= 4 and not self._lexicon.knows(bare.replace("-", ""))
                    stretch.append((word.start(), word.start() + len(bare), unknown))
                    if len(bare) == len(word.group()):
                        continue  # a possessive ends the name
                if lower not in COMPANY_SUFFIXES:  # `STADTWERKE MUENCHEN GMBH`
                    yield from _a_name_stretch(text, _past_a_bank_name(stretch, after_a_bank))
                stretch = []
                after_a_bank = lower in BANK_WORDS
            yield from _a_name_stretch(text, _past_a_bank_name(stretch, after_a_bank))

    def names_in_capital_cells(self, text: str) -> Iterator[CapitalCells]:
        """In an export row with no header, a name in capitals fills one cell (`;PAUL
        GILLET;`) or two cells side by side (`4576,BAUM,MELISSA,ACTIVE`), with nothing else
        in them. After a title's cell (`Mr.;JOHN;SMITH`) the words are a name unless one is
        an ordinary English, log or software word (`titled`). Otherwise the words must be
        ones a name in capitals could have, and `unknown` counts those of four letters or
        more that are no English word, one at least (`CORMIER`; `MELISSA` is an English
        noun): the caller asks more before it calls them a name (`RECHNUNG,BEZAHLT` is no
        English either)."""
        if _UPPER_CELL.search(text) is None or not self._lexicon.available:
            return
        cells = headerless_row_cells(text)
        if not cells:
            return
        words = [_UPPER_CELL_WORDS.fullmatch(text, start, end) for start, end in cells]
        index = 0
        while index < len(cells):
            title = _CELL_TITLE.fullmatch(text, *cells[index])
            if (
                title is not None
                and index + 1 < len(cells)
                and _CELL_TITLE.fullmatch(text, *cells[index + 1]) is None
            ):
                titled = self._titled_cells(words, index + 1, title.group(1) is not None)
                if titled:
                    last = index + titled
                    yield CapitalCells(
                        cells[index + 1][0],
                        cells[last][1],
                        tuple(text[slice(*cell)] for cell in cells[index + 1 : last + 1]),
                        0,
                        True,
                    )
                    index = last + 1
                    continue
            cell = words[index]
            if cell is None:
                index += 1
                continue
            parts = cell.group().split()
            following = words[index + 1] if index + 1 < len(cells) else None
            if following is not None and " " not in following.group():
                start, end = cells[index][0], cells[index + 1][1]
                unknown = self._unknown_words_of_a_name(
                    text, [*parts, following.group()], start, end
                )
                if unknown:  # `VAN DER HEYDEN,BART`
                    yield CapitalCells(start, end, (cell.group(), following.group()), unknown)
                    index += 2
                    continue
            start, end = cells[index]
            index += 1
            if len(parts) >= 2:
                unknown = self._unknown_words_of_a_name(text, parts, start, end)
                if unknown:
                    yield CapitalCells(start, end, (cell.group(),), unknown)

    def _titled_cells(
        self, words: list[regex.Match[str] | None], first: int, with_period: bool
    ) -> int:
        """How many cells from `first` on hold the name after a title's cell: the one, or
        the next too when both hold one word, the first perhaps after particles (`MRS;GRACE;
        BAKER`, `HERR;VAN BEAUMONT;LUCA`); 0 when a word could be no
        name (an ordinary English, log or software word: `Mr.;FEATURE;BRANCH`), or, after
        `Mr` or `Mrs` without its period, when the words are not a whole name (`Mr;SMITH;42`)."""
        name = words[first]
        if name is None:
            return 0
        parts = name.group().lower().split()
        if not all(map(self._may_be_a_titled_name, parts)):
            return 0
        following = words[first + 1] if first + 1 < len(words) else None
        if (
            following is not None
            and (
                len(parts) == 1
                # after particles, no two letters (`MR.;DE VRIES;NL`: a country)
                or (all(map(NAME_PARTICLE.fullmatch, parts[:-1])) and len(following.group()) > 2)
            )
            and " " not in following.group()
            and self._may_be_a_titled_name(following.group().lower())
        ):
            return 2
        return 1 if with_period or len(parts) >= 2 else 0

    def _may_be_a_titled_name(self, word: str) -> bool:
        return NAME_PARTICLE.fullmatch(word) is not None or (
            len(word) >= 2
            and word not in LOG_VOCABULARY
            and word not in SOFTWARE_NAMES
            and word not in _NOT_A_NAME
            and word not in GROUP_WORDS
            and not self._lexicon.ordinary(word)
        )

    def _unknown_words_of_a_name(self, text: str, parts: list[str], start: int, end: int) -> int:
        """How many words of four letters or more are no English word, or 0 when the words
        could be no name in capitals (an ordinary, log or software word; a place)."""
        words = [part.lower() for part in parts if not NAME_PARTICLE.fullmatch(part.lower())]
        if not 2 <= len(words) <= 3 or not all(map(self._may_be_a_name_in_capitals, words)):
            return 0
        if names_a_place(text[start:end]):
            return 0
        return sum(
            len(word) >= 4 and not self._lexicon.knows(word.replace("-", "")) for word in words
        )

    def _may_be_a_name_in_capitals(self, word: str) -> bool:
        if "-" in word:  # `ASANTE-MENSAH`, not `ROSE-GOLD-CASE`
            return all(map(self._may_be_a_name_in_capitals, word.split("-")))
        return (
            3 <= len(word) <= 12
            and any(vowel in word for vowel in "aeiouy")
            and word not in LOG_VOCABULARY
            and word not in _NOT_A_NAME
            and word not in SOFTWARE_NAMES
            and word not in GROUP_WORDS
            and not self._lexicon.ordinary(word)
        )

    def _given_names_acting(self, text: str, words: frozenset[str]) -> Iterator[tuple[int, int]]:
        """A given name alone doing what people do (`Ifeoma reported…`, `escalated by
        Nomvula`), or a lower-case full name (`kwame asante-mensah complained…`). The words
        must be no English words at all (`Hope called`, `Grace paused` stay: too many
        products and teams are named so)."""
        for verb in _ACTING_VERB.finditer(text):
            name = _NAME_OPENING_A_SENTENCE.search(
                text, max(0, verb.start() - _NAME_REACH), verb.start()
            )
            if name is None:
                if verb.group(1) == _DISPUTED:
                    yield from self._full_name_before_disputed(text, verb.start())
                continue
            if name.group(1) is not None:
                if verb.group(1) in _PERSON_VERBS and self._no_english_given_name(name.group(1)):
                    yield name.span(1)
            elif self._no_english_lower_name(name.group(2)):
                yield name.span(2)
        if "by" in words:
            for match in _BY_GIVEN_NAME.finditer(text):
                before = _WORD_BEFORE.search(text, max(0, match.start() - 24), match.start())
                if (
                    before is not None
                    and before.group(1).lower() in _PERSON_VERBS
                    and self._no_english_given_name(match.group(1))
                ):
                    yield match.span(1)

    def _full_name_before_disputed(self, text: str, end: int) -> Iterator[tuple[int, int]]:
        name = _FULL_NAME_BEFORE_DISPUTED.search(text, max(0, end - _NAME_REACH), end)
        if name is not None and not self._names_a_thing(name.group(1).lower().split()):
            yield name.span(1)

    def _no_english_lower_name(self, run: str) -> bool:
        parts = [part for word in run.split() for part in word.split("-")]
        return (
            all(len(part) >= 3 and part not in _FOREIGN_ACCOUNT_WORDS for part in parts)
            and self._could_be_name_words(parts)
            and self._lexicon.none_known(parts)
            and not any(part in SOFTWARE_NAMES for part in parts)
        )

    def lower_case_value_of_a_name(self, value: str) -> bool:
        """In lower case the model reads a title-cased copy, where it calls a third of the
        phrases of a billing system's values a person (`'invalid token'`, `'kafka topic'`,
        `'stolen card'`, `'mark down'`). Not when its first and last words are both ordinary
        English words (a name's words are often nouns only: `'john green'`, `'rose baker'`,
        `'david price'`), nor when one is software, a log word or a thing."""
        words = value.split()
        lexicon = self._lexicon
        if not lexicon.available:
            return False
        if lexicon.ordinary(words[0]) and lexicon.ordinary(words[-1]):
            return False
        return not names_a_thing(value) and not any(
            word in SOFTWARE_NAMES or word in LOG_VOCABULARY or word in NOT_A_PERSON
            for word in words
        )

    def _name_after_a_role(self, text: str, role: int) -> Iterator[tuple[int, int]]:
        """`by manager ravi kumar`: the two lower-case words after the role noun at `role`,
        neither an English word nor software, and a third that can be nothing but a surname
        (`by manager camilo burgos ortega`)."""
        pair = _LOWER_PAIR_AFTER_A_WORD.match(text, role)
        if pair is None or not self._no_english_lower_name(pair.group(1)):
            return
        end = pair.end(1)
        third = _NEXT_LOWER_WORD.match(text, end)
        if third is not None and self._a_surname_word(third.group(1)):
            end = third.end(1)
        yield pair.start(1), end

    def _no_english_given_name(self, word: str) -> bool:
        word = word.lower()
        return self.a_given_name(word) and not self._lexicon.knows(word)

    def a_given_name(self, word: str) -> bool:
        """A single capitalised word after a cue (`asked Ngozi`, `escalated to Oluwaseun`):
        a given name unless the lexicon, the log's words or software say otherwise."""
        if word in LOG_VOCABULARY or word in _NOT_A_NAME or word in NOT_A_PERSON:
            return False
        if word in SOFTWARE_NAMES:
            return False  # `told Jenkins to retry`, `ask Kubernetes to reschedule`
        return not self._lexicon.ordinary(word)

    def _could_be_name_words(self, words: list[str]) -> bool:
        """The checks both lower-case rules share: every word three letters or more, none a
        log word, a function word or a thing, and the lexicon loaded to judge the rest."""
        if any(len(word) < 3 or word in LOG_VOCABULARY or word in _NOT_A_NAME for word in words):
            return False
        return self._lexicon.available and not names_a_thing(" ".join(words))

    def _foreign_lower_name(self, words: list[str]) -> bool:
        """Two lower-case words after a looser cue are a name when the last is no English word
        (nor the plural of one) and the first is none either or, as many given names are,
        known only as a noun: `kwame mensah`, `maria lopez` — not `postgres replica`,
        `kafka topic`, `jitter enabled`."""
        if not self._could_be_name_words(words) or not _FOREIGN_ACCOUNT_WORDS.isdisjoint(words):
            return False
        lexicon = self._lexicon
        first, last = words[0], words[-1]
        if lexicon.knows(last) or (last.endswith("s") and lexicon.knows(last[:-1])):
            return False
        return not lexicon.ordinary(first) and not self.verb_form(last)

    def _login_of_a_person(self, parts: list[str]) -> bool:
        """`aisha.khan`, `kwame.mensah`: no part an ordinary English word (nor its plural), a
        log word, a thing or a system (`ci.runner`, `kube.system`, `github.actions`,
        `svc.billing`, `node_exporter`)."""
        lexicon = self._lexicon
        return self._could_be_name_words(parts) and not any(
            part in GROUP_WORDS
            or lexicon.ordinary(part)
            or (part.endswith("s") and lexicon.knows(part[:-1]))
            for part in parts
        )

    def _login_of_no_english(self, parts: list[str]) -> bool:
        """A login whose parts are no English words nor software at all: `adwoa.boakye`,
        not `pytest.fixture`, `jupyter.lab`, `elasticsearch.kibana` (in a path or a mention
        a login may be a tool's as much as a person's)."""
        return (
            self._login_of_a_person(parts)
            and self._lexicon.none_known(parts)
            and not any(part in SOFTWARE_NAMES for part in parts)
        )

    def _a_third_word(self, word: str) -> bool:
        """A third lower-case word continues the name only if it can be nothing else."""
        if word in LOG_VOCABULARY or word in _NOT_A_NAME or self.verb_form(word):
            return False
        return not self._lexicon.ordinary(word)

    def _a_name(self, words: list[str]) -> bool:
        parts = [part for word in words for part in word.split("-")]  # `ops-team`, `sre-oncall`
        if any(
            part in LOG_VOCABULARY or part in _NOT_A_NAME or part in COMPANY_SUFFIXES
            for part in parts
        ):
            return False  # `payee: STADTWERKE MUENCHEN GMBH`
        first, last = words[0], words[-1]
        # `customer requested refund`, `client sends request`, `customer portal crashed`.
        return not self.verb_form(first) and not (
            last.endswith(("ed", "ing")) and self.verb_form(last)
        )

    def verb_form(self, word: str) -> bool:
        """An inflected form of an English verb or adjective (`requested`, `logging`, `pays`),
        not a noun-only word (`summers`, `miles`) nor one unknown (`james`, `agnes`)."""
        lexicon = self._lexicon
        if not lexicon.available or lexicon.only_a_noun(word):
            return False
        for suffix in _INFLECTIONS:
            if not word.endswith(suffix) or len(word) - len(suffix) < 2:
                continue
            stem = word[: -len(suffix)]
            stems = {stem, stem + "e"}
            if suffix == "es" and not stem.endswith(("s", "x", "z", "ch", "sh", "o")):
                continue  # `james` is no form of `jam`
            if suffix in ("ies", "ied"):
                stems = {stem + "y"}
            elif len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in "aeiou":
                stems.add(stem[:-1])  # `logged`, `shipping`; not `guus` (`gu`)
            if any(lexicon.ordinary(candidate) for candidate in stems):
                return True
        return False
