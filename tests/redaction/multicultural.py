"""A hand-made slice of names and street addresses from cultures the corpus generator lacks.

Written by hand (not generated): Yoruba, Igbo, Hausa, Akan, Zulu, Somali, Amharic, Malagasy,
Swahili, Māori, Hawaiian, Samoan, Tongan, Fijian, Quechua, Aymara, Tibetan, Mongolian, Kazakh,
Uzbek, Pashto, Burmese, Khmer, Lao, Sámi, Inuit, Welsh, Basque, Icelandic, Georgian, Armenian,
Tamil, Malayalam, Filipino, Vietnamese, Hmong and Amazigh names; street addresses written the
way those places write them. None of it is in the detector, which must recognise a name or a
street by its shape and its context.
"""

from __future__ import annotations

NAMES = (
    "Oluwaseun Adeyemi", "Chiamaka Okonkwo", "Aminu Danjuma", "Kwabena Owusu-Ansah",
    "Thandeka Mthembu", "Hodan Warsame", "Tigist Haile", "Hery Rakotomalala",
    "Wanjiru Kamau", "Aroha Te Whare", "Keoni Kahananui", "Tavita Faleolo",
    "Sione Tupou", "Litia Ravuvu", "Yupanqui Mamani", "Wayra Choque", "Tenzin Norbu",
    "Bolormaa Batbayar", "Aigerim Nurlanovna", "Dilnoza Yusupova", "Zarghuna Stanikzai",
    "Aung Kyaw Moe", "Sokha Chhim", "Souksavanh Phommachanh", "Áilu Valkeapää",
    "Nivi Olsen", "Rhiannon Llewelyn", "Itziar Etxeberria", "Guðrún Sigurðardóttir",
    "Nino Beridze", "Anahit Hovhannisyan", "Kavitha Ramasamy", "Anjali Nair",
    "Maricel Dimaculangan", "Nguyễn Thị Hoa", "Pa Nhia Vang", "Tiziri Amellal",
    "Ngozi Eze", "Moana Tuhiwai", "Bayarsaikhan Dorj",
)  # fmt: skip

# Sentences a support or billing service writes around a name.
NAME_TEMPLATES = (
    'msg="refund requested by {}"',
    'msg="spoke with {} about the failed charge"',
    "Customer {} updated the card on file",
    'note="cardholder {} disputes the amount"',
    "{} asked to pause the subscription until January",
)

STREETS = (
    "12 Adeola Odeku Street", "45 Awolowo Road", "7 Ahmadu Bello Way", "14 Oxford Street",
    "Mtaa wa Jamhuri 12", "Lalana Rainitovo 18", "27 Kaiwharawhara Road",
    "1450 Ala Moana Boulevard",
    "Jirón Huallaga 320", "Calle Saphi 624", "Avenida Arce 2519", "Peace Avenue 17",
    "Abai Avenue 150", "Bogyoke Aung San Road 72", "Preah Sisowath Quay 22",
    "Thanon Setthathirath 112", "Laugavegur 22", "Rustaveli Gamziri 14", "Abovyan Poghots 8",
    "Đường Lê Lợi 25", "Jalan Tun Razak 88", "Soi Sukhumvit 11", "Ratu Sukuna Road 45",
    "Mannerheimintie 12", "Karl Johans gate 22", "Nørrebrogade 14", "Váci utca 10",
    "ul. Piotrkowska 104", "Bole Road 9", "Maka Al Mukarama Road 3",
)  # fmt: skip

STREET_TEMPLATES = (
    'msg="parcel returned from {}"',
    "billing address changed to {}, please verify",
    'shipping_address="{}"',
)
