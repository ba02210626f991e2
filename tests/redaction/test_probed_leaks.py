"""Leaks found by probing with self-written lines (none from either frozen evaluation set):
a given name alone after a greeting or a sign-off, lower-case names after `to`/`for` whose
first word is known only as a noun, labels set off by a dash or a bar, addresses in Chinese,
Japanese and Korean script, names in scripts without case. Each class has lines that must stay
readable beside it, and each new pattern a long adversarial line that must cost no more than a
plain one."""

from __future__ import annotations

import time

import pytest

from service.redaction.redactor import Redactor


@pytest.mark.parametrize(
    ("line", "gone"),
    [
        ("Hi Tiffany, your plan is paused until March.", "Tiffany"),
        ("Thanks Oliver!", "Oliver"),
        ("Hello Sam, your card was declined", "Sam"),
        ("-- Regards, Fatima Zahra", "Zahra"),
        ("Kind regards, Ana Ruiz", "Ruiz"),
        ("Best, Maria Lopez", "Lopez"),
        ("refund issued to maria lopez after dispute", "maria"),
        ("invoice emailed to tiffany nguyen", "nguyen"),
        ("payout sent to kwame mensah", "mensah"),
        ("Payee name - Sandy Shore", "Sandy"),
        ("attempt 3 for customer [Li Na] failed", "Li Na"),
        ("The charge for JOHN O'REILLY was declined", "REILLY"),
        ("ticket #5521 opened by aisha.khan", "aisha"),
        ("owner=kwame.mensah", "mensah"),
        ("Failed to charge card of ARJUN MEHTA (last4 4242)", "MEHTA"),
        ("refund approved by ravi kumar", "kumar"),
        ("customer record: {'first': 'Thandiwe', 'last': 'Mokoena'}", "Mokoena"),
        ("{'name': \"O'Brien, Siobhan\", 'plan': 'pro'}", "Siobhan"),
        ("pause created for subscriber: ali hassan (sub_tok_9f8e7d6c)", "hassan"),
        ("invoice 2291 for Dr. Ramón y Cajal", "Cajal"),
        ("nombre=Lucía Fernández", "Fernández"),
        ('{"nome":"João Silva"}', "Silva"),
        ("Apt 5B, 350 5th Ave, New York, NY 10118", "5th Ave"),
        ('csv export: "Yamamoto","Haruto","haruto.y@example.jp"', "Haruto"),
        ("CUSTOMER SIONE TUIPULOTU UPDATED CARD", "TUIPULOTU"),
        ("customer: SANTOS, MARIA REQUESTED refund", "MARIA"),
        ("Postfach 10 12 34, 80086 München", "Postfach 10"),
        ("P.O. Box 4471, Nairobi 00100", "4471"),
        ("P.O. Box 3318-00200 Nairobi", "3318"),
        ("Apartado Postal 88, Guadalajara", "Postal 88"),
        ("Private Bag X7003, Pretoria 0001", "7003"),
        ("C/ Mayor 7, 3º Izq., 28013 Madrid", "Mayor"),
        ("Rua Augusta 274, 1100-053 Lisboa", "1100-053"),
        ("Name \u2014 Jane Roe", "Roe"),
        ("Bill to | Ana Ruiz | 44 Calle Mayor, Madrid", "Ruiz"),
        ("東京都千代田区丸の内1-9-1", "丸の内"),
        ("お客様の住所は東京都千代田区丸の内1-9-1です", "千代田区"),
        ("配送先: 大阪府大阪市北区梅田3丁目1番1号 様", "1番1号"),
        ("北京市朝阳区建国路88号", "建国路"),
        ("서울특별시 강남구 테헤란로 152", "테헤란로"),
        ("spoke with Thandiwe about the refund", "Thandiwe"),
        ("met with Esperanza this morning re: invoice 2291", "Esperanza"),
        ("agent talked to Siobhan, resolved", "Siobhan"),
        ("texted Priyanka a reset link", "Priyanka"),
        ('user "kwame.mensah" denied access to secret', "mensah"),
        ("reviewer=ngozi.okafor status=approved", "okafor"),
        ("ALERT: REFUND ISSUED TO GRAINNE MACNAMARA", "MACNAMARA"),
        ("ERROR in billing: payment declined for 'Ngo Thi Huong'", "Huong"),
        ("refund: acct holder ANNELIESE VAN DER BERG", "BERG"),
        ("cardholder MARIA DE LOS ANGELES", "ANGELES"),
        # a name inside (not as) the value of a key that names a thing
        ("status='Refund for Kwame Mensah'", "Mensah"),
        ("plan_name='Family Bundle' holder_name='Grace Hopper'", "Hopper"),
        # a lower-case login made of a name, under a key that asks for a name
        ("level=warn customer_name=dmitri_volkov attempt=3", "volkov"),
        ("holder_name=aroha.ngata", "ngata"),
        # a person's key, a colon and no blank; role keys judged by their parts
        ("owner:Olga Petrenko status:Open", "Petrenko"),
        ("assignee:Olga Petrenko", "Petrenko"),
        ("approver: Kwame Mensah", "Mensah"),
        ("requesterName=Kwame Mensah", "Mensah"),
        # `Last, First` after a label, the surname with its particles
        ("payer: da Silva, João", "João"),
        ("customer: van der Berg, Anneke", "Anneke"),
        # a name beside a code word keeps its own run
        ("Ama Boateng PaymentIntent failed", "Boateng"),
        ("refund for Jean-Luc FitzGerald", "FitzGerald"),
        ("card of Aoife McDonald declined", "McDonald"),
        # `Last, First` with a second given name
        ("payout to Nguyen, Thi Hoa", "Hoa"),
        ("Santos, Maria Clara requested export", "Clara"),
        # chōme addresses as map services write them
        ("shipping address updated to 5 Chome-2-1 Ginza, Chuo City", "Ginza"),
        # roads numbered rather than named, and a house number with two dashes before them
        ("update: H. No. 12-2-417, Road No. 5, Banjara Hills, Hyderabad 500034", "12-2-417"),
        ("House No. 45, Street No. 12, Sector F-7/2, Islamabad", "Street No. 12"),
        # a Canadian postal code goes with its street
        ("delivery failed: 300 Rue Sainte-Catherine Ouest, Montréal QC H3B 1A1", "H3B"),
        # a name after a sentence's capitalised first word
        ('body={"text":"Call Zanele Mokoena on 082 555 1234"}', "Mokoena"),
        ("Ask Thandiwe Ndlovu about the refund", "Ndlovu"),
        # a URL as a value: its query string's keys
        ("referer=https://shop.example/account?name=Liam+O%27Connor", "Connor"),
        # an encoded name in a URL path
        ("GET /v1/customers/by-name/Aroha%20Ngata HTTP/1.1 404", "Ngata"),
        # the login where a line's shape says it is
        ('203.0.113.5 - ngozi.eze [05/Dec/2026:10:00:00 +0000] "GET /x HTTP/1.1" 200', "ngozi"),
        ("billing-01 sshd[2211]: Accepted publickey for aroha from 198.51.100.2", "aroha"),
        ("customer anne-marie dubois requested a refund", "dubois"),
        # a name that fills a bracket, its surname an English noun
        ("2026-12-05 10:00:11 INFO mailbox full (Anouk Dekker)", "Dekker"),
        # birthday wishes and a `Love,` sign-off
        ("gift note: Happy birthday Ayodele! Love, Funmilayo", "Ayodele"),
        ("gift note: Happy birthday Ayodele! Love, Funmilayo", "Funmilayo"),
        ("Hey Kwabena, your plan is paused", "Kwabena"),
        # a given name alone that work is handed to, when it is no English word at all
        ("ticket 4411 assigned to Chidinma for follow-up", "Chidinma"),
        ("escalated to Oluwaseun after 2 retries", "Oluwaseun"),
        # dates of birth in more written forms, and `birth:` as a label
        ("patient DOB 12-Jan-1975", "1975"),
        ("d.o.b. 1969/08/30", "1969"),
        ("birth: Mar 5, 1990", "1990"),
        # a headerless unquoted row: the name cells right before its e-mail cell
        ("Export row 18: Marchetti;Giulia;g.marchetti@posta.example;1988-02-29", "Giulia"),
        ("Ngata|Aroha|aroha@mail.example|Gold Annual", "Ngata"),
        # a bare `name` whose slug is not made of ordinary words
        ('{"name": "jane-doe"}', "doe"),
        # after a free-text value, or in an unquoted one that ends at its first space
        ("level=info msg=refund approved by Rangi Parata", "Parata"),
        ("type: 'Normal' reason: 'Created' refund approved by Rangi Parata", "Parata"),
        ("note=see ticket; refund approved by Rangi Parata", "Parata"),
        # a `first.last` login after more words for who acted, and after to/for/from/with
        # when no part of it is English
        ("actor=fiona.mcgregor action=card.update", "mcgregor"),
        ("subscriber=tavita.leota paused", "leota"),
        ("login ingeborg_haugland failed: bad password", "haugland"),
        ("payer: olu_adebayo", "adebayo"),
        ("receipt sent to kaveh.farahani", "farahani"),
        # `Last, First` in single quotes
        ("'Kowalski, Jan' disputed charge ch_123", "Kowalski"),
        ("'WISNIEWSKA, EWA' requested a refund", "EWA"),
        # who acted, after a colon with no blank
        ("[user:Tuğba Aksoy] updated card", "Aksoy"),
        ("[actor:Wanjiru Kamau] paused sub_tok_1", "Kamau"),
        # a given name alone after asking, telling, reminding, thanking
        ("TODO: ask Ngozi about the VAT invoice", "Ngozi"),
        ("asked Oluwadamilare to resend the card", "Oluwadamilare"),
        ("thanked Zainab for her patience", "Zainab"),
        # software is no person there, yet a surname under a person's key
        ("cardholder: Jenkins", "Jenkins"),
        # `Last, First` as an unquoted value (it stopped at the comma)
        ("name=Frimpong, Akosua", "Akosua"),
        ("holder=Tanaka, Hiroshi plan=pro", "Hiroshi"),
        # particles of East African and West African names
        ("name=Ngũgĩ wa Thiong'o", "Thiong"),
        ("name=Ousmane dit Sow", "Sow"),
        # Python's repr of a date of birth, and a label set off by is/was
        ("customer={'first': 'Ravi', 'dob': datetime.date(1984, 5, 17)}", "1984"),
        ("Customer(name='Ravi Kumar', dob=datetime.date(1984, 5, 17))", "17)"),
        ("customer dob is 03/14/1979", "1979"),
        ("date of birth was 14 March 1979", "1979"),
        # a name written as a login in capitals, under a person's key
        ("customer=Kwame_Mensah plan=premium_monthly", "Mensah"),
        ("holder=KWAME_MENSAH", "MENSAH"),
        # a bare `name` in a person's object or table stays a person's
        ('{"customer":{"name":"Grace Hopper"}}', "Hopper"),
        ("INSERT INTO customers (name, email) VALUES ('Grace Hopper', 'g@x.io');", "Hopper"),
        # names in scripts without case, under a key or a label and after a cue
        ("name=王秀英 plan=monthly", "王秀英"),
        ("holder: محمد العلي card ending 4242", "العلي"),
        ("customer=प्रिया शर्मा status=active", "शर्मा"),
        ("name=メアリー・スミス", "スミス"),
        ("paused by ルーシー", "シー"),
        ("subscription paused by 김민준 at 10:02", "김민준"),
        ("customer 李娜 requested a refund", "李娜"),
        ("Dear 佐藤健, your plan renews", "佐藤健"),
        # e-mail addresses spelled out, and a birth date with an ordinal day
        ("contact: yusuf [at] haddad [dot] me", "haddad"),
        ("login_hint=sione(at)tonga-mail(dot)to", "sione"),
        ("nkechi <at> gmail <dot> com", "nkechi"),
        ("reach me: jo [at] example.com please", "example.com"),
        ("KYC: born on 7th July 1979 in Kumasi", "1979"),
        ("dob: 21st of March 1985", "1985"),
        # a home directory named after its owner
        ('File "/home/ogechi.nnaji/projects/billing/worker.py", line 12', "nnaji"),
        ("open C:\\Users\\AkuaMensah\\Documents\\invoice.pdf failed", "Mensah"),
        # a given name alone doing what people do
        ("Ifeoma reported that the export is empty", "Ifeoma"),
        ("Kemi reported that the invoice was wrong", "Kemi"),
        ("Escalated by Nomvula to finance.", "Nomvula"),
        ("subscription sub_123 downgraded by Chinonso", "Chinonso"),
        ('msg="Tunde complained about the plan"', "Tunde"),
        ("Kemi O'Neil emailed support", "Kemi"),
        ("Ngozi A. Okafor disputed a charge", "Ngozi"),
        # keys that name a person in other words, and a login in a script without case
        ("next_of_kin: Ayodele", "Ayodele"),
        ("payer=nakamura.haruto rotation=infra-primary", "haruto"),
        ("display_name=أحمد_منصور", "منصور"),
        # a place word in a surname, under a person's key
        ('cardholder_name="Teodora Plaza"', "Teodora"),
        ('payee="Amelia Street"', "Amelia"),
        # the postal code after a street, past a floor and door, in Japan after a ward
        ("delivery to 3-2-1 Roppongi, Minato-ku, Tokyo 106-0032", "106-0032"),
        ("new address: Calle Gran Vía 28, 3º izq., 28013 Madrid", "28013"),
        ("ship to Rua Augusta 1500, 01304-001 São Paulo", "01304-001"),
        ("address=Av. Paulista, 1578 - Bela Vista, São Paulo - SP, 01310-200", "Bela Vista"),
        # logins where system logs and chats put them
        ("sudo: ikamara : TTY=pts/1 ; PWD=/srv ; USER=root ; COMMAND=/bin/ls", "ikamara"),
        ("cron[2231]: (akwasi) CMD (/usr/local/bin/reconcile.sh)", "akwasi"),
        ("pam_unix(sshd:session): session opened for user ngozi(uid=1001) by (uid=0)", "ngozi"),
        ("pam_unix(sudo:session): session opened for user root by ikamara(uid=1000)", "ikamara"),
        ("[slack #billing-alerts] @adwoa.boakye refund > $500 needs approval", "boakye"),
        # a capitalised name whose surname is a noun, after a slot word
        ("Meeting with Hinemoa Walker moved to Thursday.", "Hinemoa"),
        # names in capitals with no cue, a name before a comma and the next field, the Irish
        # Ó, a given name saying something, a name filling a field set off by dashes
        ("LEILA HADDAD'S CARD WAS DECLINED", "HADDAD"),
        ("2024-05-12T10:22:31Z WARN TOMOKO YAMADA", "YAMADA"),
        ("PAYOUTS HELD: DARIA KOVAL, ILYA ORLOV", "DARIA"),
        ('level=info msg="MARIA JOSÉ GONZÁLEZ ASKED FOR A REFUND"', "MARIA"),
        ("ERROR DuplicateChargeException: TEMITOPE KAPOOR-SHAH charged 2x", "TEMITOPE"),
        ("Mwajuma Said, Pro Annual, renewal failed", "Mwajuma"),
        ('msg="Ruairí Ó Donnchadha upgraded seats"', "Ruairí"),
        ("subscription cancelled (Tomás Ó Ceallaigh)", "Tomás"),
        ("Declan wants the export button back", "Declan"),
        ("refund queued - Pita Hohaia-Ngata - reason: duplicate", "Pita"),
        # names listed beside a name found
        ("trial extended for Noa Peretz, Lior Ashkenazi and Dana Weiss", "Lior"),
        ("Sadia Islam / Farhan Kabir / Mitra Jafari: invoices regenerated", "Mitra"),
        # a lower-case full name of no English opening a sentence before what a person did
        ("kwame asante-mensah complained about the trial", "kwame"),
        ("mehmet kaplan disputed the invoice currency", "kaplan"),
        # an unquoted value under a person's key that opens with a particle
        ("holder=de Sousa status=ok", "Sousa"),
        ("cardholder_name=van Rijswijk status=active", "Rijswijk"),
        ("beneficiary=dos Anjos amount=4200", "Anjos"),
        ("holder=de Oliveira, Beatriz status=ok", "Beatriz"),
        ("customer_name=van der Westhuizen, Pieter", "Pieter"),
        # ... or holds an apostrophe inside the name
        ("holder=O'Donoghue status=ok", "Donoghue"),
        ("holder=D'Cruz, Rohan status=ok", "Cruz"),
        ("holder=D'Cruz, Rohan status=ok", "Rohan"),
        ("customer=D'Andre Whitfield plan=gold", "Andre"),
        # `Last,First` with no blank after the comma (an attacker review: the apostrophe rule
        # had made `O'Brien,Sean` fully visible, `Tanaka,Hiroshi` always was)
        ("holder=O'Brien,Sean status=ok", "Sean"),
        ("holder=Tanaka,Hiroshi status=ok", "Tanaka"),
        ("payee=D'Souza,Rohan amount=5", "Souza"),
        # a lower-case name after a role word, through its particles to the surname after them
        ("WARN refund issued; contact: mariana de la cruz villanueva, ref 8812", "cruz"),
        ("WARN refund issued; contact: mariana de la cruz villanueva, ref 8812", "villanueva"),
        ("customer ana dos santos requested a refund", "santos"),
        # a lower-case name after a title, judged as after a looser cue (no English word)
        ("Dr. ifeoma chukwuma approved the claim", "chukwuma"),
        ("refund requested by mrs. ngozi okonkwo-eze", "okonkwo"),
        ("invoice for mr. tomasz kowalczyk settled", "kowalczyk"),
        ("Ms. nomvula de klerk called about the invoice", "klerk"),
        ("Mrs aigerim zhaksylykova paid", "zhaksylykova"),
        ("Refund approved by Dr. ifeoma chukwuma.", "chukwuma"),
        ("paid 20.00 Mrs chiamaka obiora today", "obiora"),
        # ... and at the line's end, names of English words too, whatever precedes the title,
        # and the words after the name that name a time or a thing left out
        ("Mr. james smith", "smith"),
        ("Dr. li wei", "wei"),
        ("note=Mr james smith", "james"),
        ("assigned: Mr james smith", "james"),
        ("refund approved for Dr. an nguyen today", "nguyen"),
        ("Mr. tomas page", "tomas"),
        ("Mr. nguyen van an", "an"),
        ("Mr. anna may", "anna"),
        ("refund approved for Mrs. grace okafor today", "grace"),
        # particles German, Italian and Filipino names carry; a saint's abbreviation
        ("recipient=Hans-Jürgen vom Stein amount=40", "Stein"),
        ("payee=Lukas zur Mühlen status=sent", "Mühlen"),
        ("holder=St. Clair, Mairead status=ok", "Mairead"),
        ("holder=St Clair, Mairead status=ok", "Mairead"),
        ("cardholder=Ste. Marie, Josée", "Josée"),
        # a URL's query string after an unquoted name on the same line (its end once
        # overwrote the search window's, and the query was no longer read)
        ("holder=Ana referer=https://shop.example/account?name=Liam+O%27Connor", "Liam"),
        # a headerless export row: a `Last, First` cell, particles in or opening a name cell
        ('"Ferreira da Costa, Ana Beatriz",ana@x.br,1979-03-02', "Ferreira"),
        ('"Ferreira da Costa, Ana Beatriz",ana@x.br,1979-03-02', "Beatriz"),
        ('"Nakamura, Haruto",h.n@example.jp,2', "Haruto"),
        ("van der Merwe;Pieter;p@x.za;1980", "Merwe"),
        ("row 9: de la Cruz;Maria;m@x.ph;1981", "Cruz"),
        # streets in lower case after a number, as French and its neighbours write them; the
        # Polish `Ul.`, a Spanish floor and door, a Polish flat; Bangladesh's house and road;
        # a South African stand in an extension
        ("adresse: 5 rue de la Paix, 75002 Paris", "Paix"),
        ("adresse: 5 rue de la Paix, 75002 Paris", "75002"),
        ("ship to 12 avenue Foch, 75116 Paris", "Foch"),
        ("12 rue d'Alsace, 75010 Paris", "Alsace"),
        ("livraison: 5 bis rue de la Paix", "Paix"),
        ("3 chemin des Vignes, 69000 Lyon", "Vignes"),
        ("2 quai de l'Horloge", "Horloge"),
        ("address=Ul. Marszałkowska 84/92 m. 15, 00-514 Warszawa", "84/92"),
        ("address=Ul. Marszałkowska 84/92 m. 15, 00-514 Warszawa", "m. 15"),
        ("billing: Av. Corrientes 1234 Piso 5 Dto. B, C1043 CABA", "Piso 5"),
        ("to: House 12, Road 5, Dhanmondi, Dhaka 1205", "Road 5"),
        ("customer address Stand 1234, Extension 5, Soweto, 1809", "Soweto"),
        ("delivered to Erf 55, Phase 2, Mitchells Plain", "Plain"),
    ],
)
def test_probed_personal_data_is_redacted(redactor: Redactor, line: str, gone: str) -> None:
    redacted = redactor.redact(line).text
    assert gone not in redacted, redacted


@pytest.mark.parametrize(
    "line",
    [
        "Hello World!",
        "Hi Team, the deploy is done",
        # a title's abbreviation before a tool's name (a rule taking lower-case names after
        # titles was dropped after an attacker review: these are a few of its 77 misreadings)
        "took 35 ms. kubelet restarted",
        "switch traffic to the dr. kubelet pool",
        "Mr gitaly-bump merged by ci",
        "mrs rebase needed",
        "Prof pprof heap dump attached",
        "Ms outlook oauth token expired",
        "mx. dovecot lmtp",
        "Miss rates rose after the deploy",
        # a title and lower-case tool words: at the line's end outside any cell a word names
        # software; inside a line, `Dr`, `Mr`, `Ms`, `Mx`, `Prof` without their period and
        # lower-case `dr.`, `miss` are no titles (two attacker reviews' probes)
        "Mr renovate bot bump",
        "El Dr. revisó la cita del paciente",
        "dr. kafka mirrormaker lag",
        "mr. gitlab runner",
        "took 12 ms. retrying",
        "mrs. kustomize overlays",
        "cache miss keyspace sessid ttl=30",
        "tlb miss hugepages thp disabled",
        "Dr rto rpo targets met",
        "Ms sso saml assertion invalid",
        "Mx mta sts policy fetched",
        "Mr kustomize helmfile diff failed",
        "Prof ebpf bpftrace probes attached",
        # particles that are German and Italian prepositions, outside a person's key
        "zeigt Informationen zur Kontoalterung an",
        "dpkg-architecture - Architektur zum Paketbau setzen",
        "Palazzo dei Normanni closed",
        # a number before a lower-case word that is no street's type here; a stadium's seat
        "sent 2 via Stripe",
        "moved 3 place holders",
        "Stand 4, Row 12, Seat 5",
        "Stand 12, Phase 2, Build Server",
        "Plot 5, Zone 3, Alpha Team",
        "INFO 1 chemin trouvé dans Git pour le module",
        "Detected 1 impasse in Scheduler state",
        "INFO 2 avenue records imported from OSM",
        "Mise à jour : 3 rue renommées par OpenStreetMap",
        "iscritto a 1 corso Python avanzato",
        "Ci sono 4 piazza disponibili su Booking",
        "owner=Team des Opérations",
        "owner=Service des Eaux",
        "status=de Luxe plan",
        # a particle, an apostrophe or a capital under a person's key that opens a message
        "client=de Sync started for tenant",
        "owner=do Not Disturb",
        "name=de DE",
        "name=it's ok status=200 path=/health",
        "client=cli's default timeout=30s",
        "customer=guest's cart items=3",
        "Dear Customer,",
        "Hi there, welcome back",
        "best effort retry",
        "Best regards",
        "Sincerely, The Billing Team",
        "replication lag to postgres replica is 3s",
        "published to kafka topic billing",
        "retry with jitter enabled",
        "pulled from docker hub",
        "sent with gzip compression",
        "webhook sent to billing team",
        "charge failed for new card",
        "| name | email | phone |",
        "deploy step 3 - owner - platform team",
        "INFO - Address - validated",
        "retry 2 - 5 seconds",
        "エラー: 接続タイムアウト 30秒",
        "版本 2.1 发布于 2026年12月5日",
        "市场部 3 人",
        "deployed by ci.runner",
        "triggered by github.actions",
        "owner=kube.system",
        "restarted by system.admin",
        "user=svc.billing",
        "for EU VAT",
        "to AWS LAMBDA",
        "moved to NEW YORK",
        "out of memory",
        "list of pending items",
        "created by cron job",
        "Department of Justice",
        "{'status': 'active', 'retries': '3'}",
        "subscriber count increased",
        "guest checkout enabled",
        "nom_fichier=report.pdf",
        "retry box 3 of 5",
        "fetched from AWS KMS",
        "sent to AWS SQS",
        "audit for PCI DSS",
        "customer SUPPORT TEAM ESCALATED",
        "status: ACTIVE, RETRYING soon",
        "the 5th Street fair",
        "build 21st Century",
        "met with Finance about the budget",
        "spoke with Support twice",
        "contacted Stripe about payout delays",
        "emailed Zendesk admin",
        "talked to Kubernetes team",
        'user "ci.runner" pulled image',
        "reviewer=github.actions status=ok",
        "member=svc.billing joined",
        "FAILOVER TO AWS SQS",
        "MOVED TO NEW YORK",
        "ALERT SENT TO BILLING TEAM",
        "payment declined for 'Pro Yearly Plan'",
        "SELECT plan_name, interval FROM plans WHERE plan_name = 'Family Bundle'",
        'plan="Family Bundle" renewed',
        'msg="wallet Summer Sale enabled" plan="Summer Sale" amount=12',
        'Event(v1.ObjectReference{Kind:"Job", Name:"refund-batch"}): created',
        'metadata: {"name": "stripe-keys", "namespace": "billing"}',
        '{"kind": "Pod", "name": "billing-worker-2"}',
        "customer_name=test_user",
        "exported for node_exporter",
        "forwarded to kube.system",
        "metrics from prom.scraper",
        "signed with dev_tools",
        "actor=system.scheduler",
        "operator=billing.ops",
        "note='Refunded, Closed'",
        "user:postgres",
        "{'created': datetime.datetime(2026, 12, 5, 10, 0)}",
        "the invoice total is 1990 EUR",
        "created date is 2026-12-05",
        "owner=Billing_Team",
        # a bare `name` in a thing's object or table names that thing
        '{"plan":{"name":"Family Bundle","interval":"year","amount":9900}}',
        "INSERT INTO plans (name, price) VALUES ('Family Bundle', 1499);",
        '{"product": {"id": 3, "name": "Premium Plus"}}',
        "owner=AWS_IAM",
        "customer=Test_User",
        "told Jenkins to retry",
        "ask Kubernetes to reschedule",
        "asked Stripe for the payout report",
        "remind Billing team on Monday",
        "actor:Jenkins",
        "[user:Ops Team] rotated keys",
        "login:Success",
        "ship_zone='Berlin, Germany'",
        "wallet enabled (Apple Pay)",
        "stream lag (Kafka Streams)",
        "failover (Redis Sentinel)",
        "plan (Pro Monthly)",
        "region (North America)",
        "Migrate Postgres Citus shards",
        "Install Istio Ambient mesh",
        "owner: ops-team reviewer: sre-oncall",
        "GET /docs/Getting%20Started 200",
        "GET /files/Annual%20Report%202026.pdf 200",
        "PR No. 5 merged",
        "Redis Sentinel failover to replica-2 completed",
        "service mesh sidecar Envoy Proxy restarted in namespace billing",
        "cache warmup for Mexico City, Buenos Aires, Bogotá and Lima edge nodes done",
        "regions: North America, Western Europe, Asia Pacific",
        "Sentry issue PAYMENTS-4F2 Unhandled TypeError in Invoice Renderer",
        "Feature: Smart Dunning; Owner: Revenue Ops; Status: Beta",
        "report owner: Data Platform, refresh: daily",
        "author: Release Bot",
        "Reviewed-by: Code Owners",
        "Signed-off-by: Build Pipeline",
        "love Paris, said the campaign",
        "Happy birthday Team!",
        "assigned to Platform",
        "escalated to Billing team",
        "forwarded to Finance for approval",
        "transferred to Tier2 queue",
        "handed over to Security",
        "birth 2024/05/01 of the new service",
        "rebirth: 2024-01-01",
        "version 2024.05.01 born",
        "owner:platform-team",
        "status:Open type:Normal",
        "see http://owner:Olga/docs for the runbook",
        "author=ci-bot",
        "payer_name=ops-bot",
        "holder_name=svc.billing",
        "customer_name=stripe_webhook",
        "customer=ch_ijeEBiQRbSlLUcYTYZeh",
        "level=info msg=refund approved by Billing Team",
        # text in a script without case that no cue or key says is a person's
        "shipped from 東京 warehouse",
        "payment sent to 支付宝",
        "status changed to 已发货",
        "error: 支付失败 for order 1234",
        "status=支付失败 plan=月度套餐",
        'title="月度套餐" amount=30',
        # `at` and `dot` in sentences, and a birth-less date
        "login at example.com failed",
        "job scheduled at 10:00 dot matrix printer",
        "the value at index [dot] was null",
        "backend at api dot stripe dot com slow",
        "tried at 10:00 [at] site dot ru",
        "VISA, Mastercard and Amex accepted",
        "formats: JSON, Yaml",
        # capitals before a comma that are no surname
        "ERROR, Retrying in 5 seconds",
        "WARN, Payment gateway slow",
        # home directories of system accounts
        "cd /home/runner/work/app",
        "/Users/Shared/build.log",
        "/home/ci-bot/cache",
        "/home/ubuntu/.ssh/authorized_keys",
        "/home/node_exporter/data",
        "GET /api/users/usr_12345/subscriptions",
        # software and teams doing what they do
        "request blocked by Cloudflare",
        "Kafka restarted after OOM",
        "Traefik reloaded config",
        "Refunds requested by Finance team",
        "paused by Stripe",
        "Dependabot requested review",
        "Chargebee cancelled subscription",
        "subscription paused by Chargebee",
        "memcached twemproxy closed",
        # who-keys holding no person, and places named like people
        "who=deploy-bot",
        "oncall=Opsgenie",
        "nickname=Phoenix",
        "GET /users/default_avatar/avatar",
        '{"who":"system"}',
        "Latency spike observed on links to Victoria Station PoP, p99=840ms",
        "The Baker Street office switched to the Enterprise plan",
        # system accounts in system logs, teams and systems in mentions and after slots
        "CRON[99]: (root) CMD (run-parts /etc/cron.hourly)",
        "sudo:     root : TTY=pts/0 ; PWD=/root ; USER=root ; COMMAND=/bin/ls",
        "sudo:   jenkins : TTY=pts/0 ; PWD=/srv ; USER=root ; COMMAND=/bin/ls",
        "CRON[1234]: (www-data) CMD (php /var/www/cron.php)",
        "pam_unix(su:session): session opened for user postgres by root(uid=0)",
        "pam_unix(sudo:session): session opened for user root by deploy(uid=1001)",
        "@pytest.fixture",
        "/home/svc_backup/x",
        "/home/jupyter.lab/x",
        "WARNING: NVIDIA DRIVER MISMATCH",
        "INFO | Okonkwo Holdings | invoice",
        "ping @ops.team about it",
        "oncall=kube.system",
        "connected to Kafka Streams",
        "synced with Okta Verify",
        "routed to Jordan Valley",
        "sent to Datadog Agent",
        "migrated to Azure Functions",
        "call 555-1234, Springfield 555-0199",
        # capitals that are codes, things or places; keys that name a cause or an order
        "ERROR ECONNRESET upstream",
        "AWS SQS QUEUE FULL",
        "PCI DSS SCOPE",
        "OKTA SCIM SYNC FAILED",
        "INVOICE NUMBER MISSING",
        "STRIPE WEBHOOK SECRET ROTATED",
        "SKU ROSE-GOLD-CASE restocked, qty=500",
        "export finished (SANTA CLARA) rows=440",
        "Caused by: java.lang.NullPointerException at Refund.apply(Refund.java:77)",
        "sorted_by=created_at",
        "plan | Gold Tier | active",
        "region | Cape Town | 12 ms",
        "payout | Alice Springs | AUD 310.00 | held",
        "new region Santa Clara enabled",
        "traffic from St Petersburg spiked",
        "cache warmup for Mexico City, Buenos Aires, Bogotá and Lima edge nodes done",
        "nginx upstream changed",
        "systemd journald restarted",
        "redis sentinel changed master",
        "kube proxy updated rules",
        "cron job added",
        # software and teams after a log line's level or time (a rule that took them was
        # reverted after an attacker's review)
        "ERROR Snyk complained about 3 vulnerable deps",
        "09:14 Dependabot wants to bump lodash",
        "WARN Devops complained about the pager",
        "WARN webpack devserver wants a restart",
        "2024-05-01 12:00:01,123 WARNING Pydantic complains about field shadowing",
    ],
)
def test_lines_beside_the_probed_classes_stay_readable(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line).text == line


def test_an_export_with_a_french_header_is_judged_by_it(redactor: Redactor) -> None:
    lines = ["id;nom;prenom;ville", "1;Dupont;Amélie;Lyon"]
    redacted = redactor.redact_many(lines)
    assert redacted[1].text == "1;<PERSON>;<PERSON>;Lyon"


def test_ordinary_words_in_a_row_beside_an_email_stay(redactor: Redactor) -> None:
    redacted = redactor.redact("('Active', 'Pro Monthly', 'jo@x.io')").text
    assert redacted == "('Active', 'Pro Monthly', '<EMAIL_ADDRESS>')"


def _seconds(redactor: Redactor, line: str) -> float:
    began = time.perf_counter()
    redactor.redact(line)
    return time.perf_counter() - began


# Adversarial lines: a head, a unit repeated many times, a tail.
HOSTILE = [
    ("", "東京都", 17_000, ""),  # a CJK run with divisions and no number
    ("", "市", 50_000, "1"),
    ("Hi ", "Tiffany ", 6_000, ","),
    ("", "Regards, ", 6_000, "Zahra"),
    ("sent to ", "to ", 16_000, ""),
    ("by ", "ab.", 16_000, ""),
    ("", "{'", 24_000, "name"),
    ("", "P.O. Box ", 5_000, ""),
    ("", '"Ab",', 8_000, '"a@b.c"'),
    ("", "Postfach 12 ", 4_000, ""),
    ("", "12 OAK ", 4_000, "STREET"),  # addresses in capitals
    ("", "CALLE MAYOR ", 4_000, ""),
    ("", "5 RUE DE LA ", 3_000, "PAIX"),
    ("Flat 1", ", Sunrise Apartments", 3_000, " 56"),  # Indian addresses
    ("", "Flat 1, Ab Road ", 3_000, ""),
    ("", "P.O. Box 12-3456 ", 4_000, ""),
    ("", "Private Bag X", 4_000, "1"),
    ("", "'first': '", 5_000, ""),
    ("for ", "ABC ", 12_000, ""),
    ("", "Name - ", 7_000, ""),
    ("", " | ", 16_000, "name"),
    ("", "서울특별시 ", 8_000, ""),
    ("", "spoke with Ab ", 5_000, ""),
    ("", "met with ", 8_000, "Esperanza"),
    ("", "Byrne, Cillian ", 5_000, "Doyle"),
    ("", 'user "', 10_000, "ab.cd"),
    ("", "owner:Ab ", 8_000, ""),
    ("", "a:b", 16_000, ""),
    ("", "Ab;", 16_000, "a@b.cd"),
    ("", "x|", 24_000, "a@b.cd"),
    ("", "assigned to ", 6_000, "Chidinma"),
    ("", "Happy birthday ", 5_000, "Ayodele!"),
    ("dob ", "12-", 16_000, "Jan-1975"),
    ("msg=x ", "reason=y ", 6_000, "by Rangi Parata"),
    ("", "Ab TypeError ", 5_000, ""),
    ("", "customer_name=ab_cd ", 3_000, ""),
    ("Name: ", "Ab ", 16_000, "at x"),
    ("", "5 Chome-", 8_000, "2-1 Ginza"),
    ("", "H. No. 1-1-1, ", 4_000, "Road No. 5"),
    ("", "Road No. ", 8_000, "5"),
    ("referer=https://x.example/?", "a=b&", 8_000, "name=Liam"),
    ("", "Call Zanele ", 6_000, "Mokoena"),
    ("GET /", "a%20", 12_000, "b"),
    ("", "(Anouk Dekker) ", 5_000, ""),
    ("", "actor=ab.cd ", 6_000, ""),
    ("", "for ab.cd ", 6_000, ""),
    ("", "ask Ab ", 6_000, ""),
    ("", '{"plan":{"name":"Ab Cd"}}, ', 3_000, ""),
    ("", "dob is 1", 8_000, ""),
    ("", "dob=datetime.date(1984, 5, 17) ", 2_000, ""),
    ("", "holder=Ab, Cd ", 5_000, ""),
    ("", "customer=Ab_Cd ", 5_000, ""),
    ("", "[user:Ab Cd] ", 5_000, ""),
    ("", "to 王 ", 8_000, ""),
    ("name=", "王 ", 8_000, ""),
    ("holder: ", "العلي ", 8_000, "x"),
    ("", "ab [at] cd ", 6_000, "[dot] com"),
    ("", "a dot ", 8_000, " at x"),
    ("", "a [dot] ", 6_000, " [at] b"),
    ("", "a (dot) ", 6_000, "(at) b.com"),
    ("", "(at)", 12_000, "(dot)to"),
    ("dob: ", "1st of ", 8_000, "1990"),
    ("", "ABC, Abc ", 8_000, ""),
    ("", "/home/ab.cd", 6_000, "/"),
    ("", "Kemi. ", 8_000, "Kemi reported"),
    ("", "escalated by Ab ", 8_000, ""),
    ("", "Ab-ku, Ab 123-4567", 4_000, ""),
    ("Av. Ab, 1", " - Ab Cd", 6_000, " - SP, 01310-200"),
    ("1 Calle Ab 2", ", 3º izq.", 6_000, ", 28013 Madrid"),
    ("", "sudo: ab : ", 6_000, "TTY=x"),
    ("", "@ab.cd ", 8_000, ""),
    ("", "with Ab Walker ", 5_000, ""),
    ("", "ABCD EFGH'S ", 6_000, ""),
    ("", "ABCD-EFGH ", 8_000, ""),
    ("", " - Abcd Efgh", 6_000, " - x"),
    ("", "Abcd Efgh, Pro ", 5_000, ""),
    ("Noa Peretz", ", Lior Abcdef", 5_000, ""),
    ("", "Lior Abcdef and ", 5_000, "Noa Peretz"),
    ("", "abcd efgh ", 8_000, "complained"),
    ("", "Abcd Efgh ", 8_000, "says she"),
    ("", "ABCDEF, Ghijkl ", 6_000, ""),
    ("", "INFO Abcdef ", 7_000, "disputed"),
    ("holder=de", " de", 16_000, ""),
    ("holder=O", "'b", 16_000, "="),
    ("", "holder=O'b'c ", 4_000, "x"),
    ("", "holder=da dos de ", 4_000, "x"),
    ("", "abcd efgh, ", 7_000, "ijkl"),
    ("", "Mr. abcd efgh ", 5_000, "x"),
    ("contact ", "abcd de la ", 5_000, "x"),
    ("", "mrs de ", 8_000, "x"),
    # the end of an address value searched from every space of a run: quadratic in the run
    ("address: 1 Oak Road, Leeds", " ", 20_000, "x"),
    ("", "address=1 Oak Road,", 1_000, " " * 5_000 + "x"),
    # 3,200 overlapping matches of one recogniser: their containment check was quadratic
    ("", "12:00:01.123456789+01:00 ", 3_200, ""),
]


@pytest.mark.parametrize(("head", "unit", "count", "tail"), HOSTILE)
def test_the_new_patterns_take_time_linear_in_the_line(
    redactor: Redactor, head: str, unit: str, count: int, tail: str
) -> None:
    """No catastrophic or quadratic step: twice the adversarial line takes at most about twice
    the time (a line of 4,000 P.O. boxes took 3.2 times as long as one of 2,000 while
    overlapping addresses were merged by scanning every kept finding), and never very much
    more than a plain line of its length."""
    hostile = head + unit * count + tail
    # The best of three, measured twice at most: one run may meet a collection or the other
    # core's load, while a quadratic step is slow every time. A linear step measured 2.4x
    # on a loaded host (`customer=Ab_Cd ` 2,500 → 5,000, at 66f470f too); quadratic is 4x.
    for _attempt in range(2):
        half = min(_seconds(redactor, head + unit * (count // 2) + tail) for _ in range(3))
        whole = min(_seconds(redactor, hostile) for _ in range(3))
        if whole < 3.0 * half + 0.05:
            break
    assert whole < 3.0 * half + 0.05, (whole, half)
    plain = min(_seconds(redactor, "x" * len(hostile)) for _ in range(2))
    assert whole < 60 * plain + 1.0, (whole, plain)


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        (
            "Invalid cardholder: Siosaia Fifita at com.acme.billing.CardValidator.check("
            "CardValidator.java:41)",
            " at com.acme.billing.CardValidator.check(",
        ),
        ("Customer: Mary Smith was charged twice", " was charged twice"),
    ],
)
def test_a_labelled_name_ends_at_the_first_lower_case_word(
    redactor: Redactor, line: str, kept: str
) -> None:
    redacted = redactor.redact(line).text
    assert kept in redacted and "Fifita" not in redacted and "Smith" not in redacted, redacted


def test_a_labelled_name_keeps_its_particles(redactor: Redactor) -> None:
    assert redactor.redact("Name: Maria de la Cruz").text == "Name: <PERSON>"


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("Active|Pro Monthly|ops@strongroom.example|EUR", ["Active", "Pro Monthly", "EUR"]),
        ("contact: Ops, ops@strongroom.example, Dublin", ["Ops", "Dublin"]),
        ("alert;Billing Team;billing@strongroom.example;P1", ["Billing Team"]),
        # a `Last, First`-shaped cell of ordinary words, or of a company
        ('"Gold, Annual",billing@strongroom.example,2', ["Gold, Annual"]),
        ('"Acme Widgets, Ltd",billing@strongroom.example,3', ["Acme Widgets, Ltd"]),
        # places in a contact row: no name needs its comma or its particles
        ('"Paris, France",ops@strongroom.example,2020-01-01', ["Paris, France"]),
        ('"New York, NY",ops@strongroom.example,2', ["New York, NY"]),
        ("Rio de Janeiro;Brasil;ops@strongroom.example;5", ["Rio de Janeiro"]),
        (
            "sent receipt to giulia@posta.example, Finance Team copied, Billing notified",
            ["Finance Team", "Billing notified"],
        ),
    ],
)
def test_cells_beside_an_email_that_are_no_names_stay(
    redactor: Redactor, line: str, kept: list[str]
) -> None:
    redacted = redactor.redact(line).text
    assert "<EMAIL_ADDRESS>" in redacted and all(word in redacted for word in kept), redacted


def test_a_name_does_not_run_on_into_the_next_label(redactor: Redactor) -> None:
    line = "Name: TANAKA HIROSHI   DOB: 1978-03-03   Passport: TK1234567"
    assert redactor.redact(line).text == "Name: <PERSON>   DOB: <DATE_TIME>   Passport: TK1234567"


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ('203.0.113.5 - - [05/Dec/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5', " - - ["),
        ("sshd[1]: Failed password for invalid user admin from 198.51.100.2", "user admin from"),
        ("sshd[1]: Accepted password for root from 10.0.0.1", "for root from"),
    ],
)
def test_system_accounts_and_no_login_stay(redactor: Redactor, line: str, kept: str) -> None:
    redacted = redactor.redact(line).text
    assert kept in redacted and "<IP_ADDRESS>" in redacted, redacted


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        # a saint's name under a person's key takes a given name after the comma, not a state
        ("name=St. Paul, MN", ", MN"),
        ("customer=St. Louis, Accounts Payable", "Accounts Payable"),
        # after a role word a lower-case name goes on past its particles only to a surname
        # that can be nothing else (an attacker review: `tenant de la default namespace`)
        ("customer: tenant de la default namespace", "default namespace"),
        ("en tenant compte de la configuration", "configuration"),
        ("contact equipe de la direction", "direction"),
    ],
)
def test_what_follows_a_name_s_particles_or_saint_stays(
    redactor: Redactor, line: str, kept: str
) -> None:
    redacted = redactor.redact(line).text
    assert "<PERSON>" in redacted and kept in redacted, redacted


def test_an_address_line_with_commas_is_no_header_for_the_next_line(redactor: Redactor) -> None:
    """`address: 45 Le Loi Street, Ben Nghe Ward, …` once read as a header whose first column
    was `Street`, and the next line's first cell was then taken for an address."""
    lines = [
        "address: 45 Le Loi Street, Ben Nghe Ward, District 1, Ho Chi Minh City",
        "job finished, 3 rows, 5 s, ok",
    ]
    redacted = [result.text for result in redactor.redact_many(lines)]
    assert "Le Loi" not in redacted[0]
    assert redacted[1] == lines[1], redacted[1]


def test_a_unit_word_is_whole_after_a_street(redactor: Redactor) -> None:
    redacted = redactor.redact("Av. Corrientes 1234 Puertas abiertas").text
    assert "Corrientes" not in redacted and redacted.endswith("Puertas abiertas"), redacted
