"""Words the synthetic lists are made of: Bugis-Makassar names, Makassar streets, occupations.

All invented combinations; any resemblance to a real person is chance. `é` appears on purpose
(Pangérang) so that a Windows-1252 file differs byte-wise from its UTF-8 twin.
"""

from __future__ import annotations

MALE_FIRST = (
    "Muhammad", "Muh.", "Ahmad", "Syamsul", "Abdul", "Arifin", "Ilham", "Fadli", "Rusdi",
    "Hasan", "Basri", "Amiruddin", "Jufri", "Syahrir", "Irwan", "Ridwan", "Akbar",
    "Baharuddin", "Kamaruddin", "Hamzah", "Darwis", "Nasrullah", "Zainal", "Asri",
    "Syarifuddin", "Haeruddin", "Sudirman", "Yusuf", "Aswar", "Ansar", "Firman", "Fajar",
    "Rizal", "Wahyu", "Agus", "Taufik", "Ikhsan", "Mansyur", "Syahrul", "Anwar", "Mustari",
    "Abd. Rahman", "Nurdin", "Saharuddin", "Jamaluddin", "Muhlis", "Rahmat", "Arman",
)
FEMALE_FIRST = (
    "Nur", "Sitti", "St.", "Rahmawati", "Nurhayati", "Hasnah", "Fatimah", "Hasniah",
    "Nurjannah", "Rosmiati", "Suriani", "Hartati", "Kasmawati", "Megawati", "Nurul", "Sri",
    "Ratna", "Rismawati", "Irmawati", "Nurlina", "Syamsiah", "Halijah", "Jumriah",
    "Darmawati", "Yuliana", "Ayu", "Fitri", "Nurfadillah", "Wahyuni", "Asmawati", "Hadijah",
    "Marlina", "Rosdiana", "Nurhaedah", "Sumarni", "Hamsinah", "Rahmatia", "Nurmiati",
)
# Second parts start with a space so that an empty one joins cleanly.
SECOND_PART = (
    "", "", "", "", " Rahman", " Hamid", " Syam", " Said", " Baso", " Tahir", " Ramli",
    " Abbas", " Makkasau", " Mappaseng", " Tjoddo", " Pangérang", " Sanusi", " Latif",
    " Karim", " Arsyad", " Kadir", " Haris", " Mattola", " Patongai", " Rasyid", " Nur",
    " Amir", " Halim", " Laupe", " Mappiare", " Sultan", " Ibrahim",
)
DAENG_NAMES = (
    "Ngalle", "Tompo", "Sikki", "Bollo", "Ngai", "Baji", "Caya", "Rannu", "Sangnging",
    "Te'ne", "Kebo", "Nai", "Lu'mu", "Tayang", "Sampe", "Bunga",
)
STREETS = (
    "Andi Pangérang Pettarani", "Urip Sumoharjo", "Perintis Kemerdekaan", "Sultan Alauddin",
    "Veteran Selatan", "Cendrawasih", "Sungai Saddang", "Landak Baru", "Abdullah Daeng Sirua",
    "Hertasning", "Toddopuli Raya", "Tinumbu", "Kandea", "Gunung Bawakaraeng", "Penghibur",
    "Metro Tanjung Bunga", "Daeng Tata", "Batua Raya", "Antang Raya", "Rappocini Raya",
    "Monginsidi", "Sunu", "Borong Raya", "Racing Centre", "Maccini Raya", "Kakatua",
)
PHONE_PREFIXES = ("0811", "0812", "0813", "0821", "0822", "0823", "0852", "0853", "0877",
                  "0895", "0896")
OCCUPATIONS = {
    "non_asn": ("Tenaga administrasi", "Petugas kebersihan", "Satpol PP honorer",
                "Pengemudi", "Tenaga teknis", "Petugas pemadam kebakaran", "Operator komputer"),
    "rt_rw": ("Ketua RT", "Ketua RT", "Ketua RT", "Ketua RW"),
    "kader_posyandu_kb": ("Kader posyandu", "Kader KB"),
    "pekerja_keagamaan": ("Imam masjid", "Marbot", "Guru mengaji", "Penjaga makam",
                          "Imam masjid", "Marbot"),
    "penyelenggara_pemilu": ("Anggota KPPS", "Anggota PPS", "Anggota PPK", "Pantarlih",
                             "Anggota KPPS"),
    "pekerja_rentan": ("Pedagang kaki lima", "Pengemudi ojek online", "Nelayan",
                       "Buruh harian lepas", "Tukang becak", "Pemulung", "Buruh bangunan",
                       "Penjual sayur", "Tukang parkir"),
}
# Kecamatan Somba Opu, Kabupaten Gowa: where many city employees live (not in the reference).
OUTSIDE_KECAMATAN = "Somba Opu"
OUTSIDE_KELURAHAN = ("Sungguminasa", "Tompobalang", "Batangkaluku", "Bonto-Bontoa",
                     "Kalegowa", "Katangka", "Tamarunang", "Mawang", "Romangpolong", "Samata",
                     "Paccinongang", "Tombolo", "Pandang-Pandang")
