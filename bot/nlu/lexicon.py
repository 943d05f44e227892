"""A small bilingual concept lexicon for the helpline's domain.

Words of both languages that mean the same thing share a concept feature, so the Indonesian
training examples teach the English side and the other way round ("dipukul" and "beaten"
are both HIT). Words are matched after normalisation, also by a light Indonesian/English stem.
"""

from __future__ import annotations

import re

_CONCEPTS: dict[str, str] = {
    # people
    "EMPLOYER": "majikan bos boss nyonya tuan madam maam mam sir kafil employer employers "
    "mistress akong ama amah",
    "AGENCY": "agen agensi agent agency agencies pt penyalur calo sponsor perekrut recruiter "
    "broker lpk p3mi recruitment tekong",
    "FAMILY": "adik kakak ibu ayah bapak suami istri anak keluarga saudara sepupu ponakan "
    "mama mamak bapa sister brother mother father husband wife son daughter family "
    "cousin mom dad niece nephew",
    "HUMAN": "manusia orang petugas operator staf staff officer human person people real cs "
    "representative konselor counselor",
    # money
    "SALARY": "gaji upah gajian salary salaries wage wages pay paid payslip payment payday "
    "allowance",
    "LATE": "telat terlambat lambat tertunda late delayed delay overdue",
    "DEDUCT": "potong potongan dipotong deduct deducted deduction deductions",
    "FEE": "biaya fee fees ongkos cost costs charged overcharge overcharging "
    "overcharged placement penempatan",
    "DEBT": "utang hutang cicilan pinjaman loan loans debt debts kredit installment bunga interest",
    "FINE": "denda penalty penalti fine fined",
    "REFUND": "refund kembalikan dikembalikan balikin pengembalian",
    "MONEY": "uang duit money cash ringgit rupiah dollar dolar juta million",
    # documents
    "DOCUMENT": "paspor passport pasport dokumen document documents ktp ic arc iqama kartu "
    "card atm ijazah sertifikat certificate buku book",
    "WITHHOLD": "tahan ditahan menahan pegang dipegang simpan disimpan ambil diambil sita "
    "disita keep kept hold holding held withhold withheld confiscate confiscated took "
    "taken",
    "CONTRACT": "kontrak perjanjian pk contract contracts agreement percobaan probation "
    "notis notice",
    # abuse
    "HIT": "cubit dicubit nyubit dorong didorong mendorong jorokin dijorokin push pushed shove shoved pinch pinched pukul dipukul dipukuli memukul tampar ditampar tendang ditendang siksa disiksa "
    "aniaya dianiaya kekerasan jambak dijambak lempar dilempar cekik dicekik hajar "
    "nendang nampar mukul gebuk digebuk hit hits hitting beat beats beaten beating slap slapped kick kicked punch punched "
    "torture tortured abuse abused abusive violence violent throw threw choke",
    "SEXUAL": "ngintip mesum jorok pervert lecehkan dilecehkan pelecehan perkosa diperkosa raba diraba cabul sentuh "
    "disentuh intip diintip harass harassed harassment rape raped grope groped touch "
    "touched sexual molest molested",
    "THREAT": "celaka celakai dicelakai mencelakai harm ancam diancam mengancam ancaman bunuh dibunuh maki dimaki hina dihina marah "
    "dimarahi bentak dibentak threat threaten threatened kill insult insulted scold "
    "scolded shout shouted yell",
    "LOCKED": "kunci dikunci kurung dikurung sekap disekap terkurung lock locked trapped confined",
    # health
    "SICK": "terkilir sakit demam batuk muntah pingsan pusing hamil keguguran luka cedera patah "
    "berdarah darah operasi dokter rs klinik obat nyeri bengkak depresi stres stress melepuh gatal alergi "
    "kanker jantung asma covid tbc "
    "sick ill illness fever cough vomit vomiting unconscious dizzy pregnant miscarriage "
    "injured injury wound broken bleeding blood surgery doctor hospital clinic medicine "
    "pain hurt swollen depressed depression blister allergy rash cancer heart asthma",
    "BODY": "kaki tangan kepala jari punggung perut mata badan tulang leg legs arm arms hand "
    "hands head finger fingers back stomach eye eyes bone ankle",
    "FAINT": "pingsan lemas faint fainted unwell sprain sprained keseleo",
    "ACCIDENT": "tertimpa ketimpa kejatuhan crushed kecelakaan jatuh terjatuh kejepit terjepit terbakar kebakar tersiram "
    "accident fell fall fallen burn burned burnt",
    "DIED": "meninggal mati wafat jenazah almarhum died dead death die body passed funeral corpse",
    # work
    "REST": "libur cuti istirahat off rest holiday holidays leave break",
    "HOURS": "lembur jam capek lelah tidur overtime hours hour tired exhausted sleep",
    "FOOD": "makan makanan lapar food eat eating hungry meal meals",
    "LODGING": "kamar asrama mess bedeng room bed dormitory dorm hostel toilet "
    "bathroom lodging accommodation",
    "JOB": "kerja kerjaan pekerjaan bekerja job jobs work working worker workers",
    # migration and status
    "HOME": "terdampar telantar ditelantarkan stranded abandoned pulang balik kampung kepulangan dipulangkan pulangkan pemulangan home "
    "repatriation repatriate repatriated",
    "ABROAD": "luar negeri ln merantau abroad overseas migrant migran pmi tki tkw",
    "SCAM": "penipu scammer dibeli bought tipu ditipu penipuan palsu bodong scam scammed fake fraud cheat cheated "
    "dijual dijebak sold brothel pelacuran prostitusi trafficking trafficked perdagangan",
    "ILLEGAL": "ilegal illegal gelap unregistered unofficial unlicensed turis tourist np "
    "nonprosedural undocumented pati",
    "OFFICIAL": "resmi legal aman prosedur prosedural official safe safely procedure "
    "licensed license lisensi izin registered terdaftar",
    "VISA": "visa permit ijin izin iqama",
    "EXPIRED": "overstay kadaluarsa kadaluwarsa expired expire",
    "ARREST": "ditangkap tangkap penjara depot razia imigrasi imigresen deportasi "
    "dideportasi arrested arrest caught jail prison detained detention deported "
    "deportation raid immigration police polisi",
    "INSURANCE": "bpjs jht jkk jkm asuransi jaminan insurance jamsostek",
    "CLAIM": "klaim cair pencairan claim claims withdraw",
    "MISSING": "hilang putus dihubungi menghilang missing unreachable disappeared lost",
    "TERMINATE": "terminit diterminit pecat dipecat resign berhenti terminate terminated "
    "dismissed fired resign quit",
    "CHANGE": "pindah ganti transfer change changing move switch",
    # services
    "SCARED": "takut khawatir cemas panik ketakutan scared afraid fear worried panic "
    "frightened terrified",
    "NOW": "sekarang barusan skrg now tonight currently",
    "ESCAPE": "kabur lari melarikan sembunyi bersembunyi ran runaway escape escaped hiding hide",
    "END": "finish selesai habis berakhir done ended end over",
    "RELIGION": "sholat salat solat shalat ibadah hijab jilbab babi puasa halal haram pray "
    "prayer praying pork fasting mosque masjid church gereja",
    "EMERGENCY": "darurat bahaya segera emergency danger dangerous urgent hurry asap",
    "REPORT": "lapor laporan melapor aduan pengaduan adukan ngadu komplain keluhan "
    "report reported complaint complain case",
    "STATUS": "status perkembangan kabar update progress news result hasil",
    "CONTACT": "nomor nomer telepon telpon telp hp wa whatsapp hotline alamat kantor "
    "number phone call address office email",
    "EMBASSY": "kbri kjri kdei kedutaan konsulat perwakilan embassy consulate bp2mi "
    "bp3mi kemlu ltsa disnaker disnakertrans kemnaker labour labor jtksm",
    "SUPPORT": "shelter penampungan pengacara psikolog konseling ngo komunitas "
    "organisasi pelatihan kursus pendampingan paralegal lawyer counselling counseling "
    "psychologist community organization organisation training course",
    "DELETE": "padam hapus dihapus hapusin delete deleted erase remove forget",
    "DATA": "maklumat data informasi pribadi identitas riwayat information personal info history",
    # conversation control
    "GREET": "halo hallo helo hai hi hello hey howdy hola assalamualaikum pagi siang sore "
    "malam morning afternoon evening salam swastiastu misi permisi punten sugeng",
    "BYE": "dadah bye babay bubye pamit jumpa goodbye farewell ciao wassalamualaikum goodnight",
    "THANKS": "makasih makasi thanks thank thankyou tengkyu thx ty tysm trims suwun nuhun cheers",
    "YES": "iya yes yeah yep yup betul benar bener setuju ok sip correct sure agree "
    "definitely absolutely course",
    "NO": "bukan nope nah salah wrong incorrect negative disagree ogah jangan",
    "NOT": "tidak belum not no never don't dont didn't cannot can't",
    "CANCEL": "batal batalkan batalin stop keluar udahan cancel quit exit halt nevermind",
    "LANGUAGE": "bahasa inggris english indonesian language indo tagalog mandarin cantonese "
    "kanton arabic chinese jawa javanese sunda",
    "MENU": "fungsi topik menu bantuan fitur options features",
    "BOT": "bot robot mesin machine ai chatbot",
}

CONCEPTS: dict[str, str] = {w: name for name, words in _CONCEPTS.items() for w in words.split()}

_SUFFIX_ID = re.compile(r"(?:nya|lah|kah|ku|mu)$")
_SUFFIX2_ID = re.compile(r"(?:kan|an|i)$")
_PREFIX_ID = re.compile(r"^(?:di|ke|ter|ber|be|per|meng|meny|mem|men|me|peng|peny|pem|pen)")
_SUFFIX_EN = re.compile(r"(?:ing|ed|es|s)$")


def stem(word: str) -> str:
    """A light stem: enough to map "dipukulnya" to "pukul" and "workers" to "worker"."""
    if len(word) <= 4 or not word.isalpha():
        return word
    s = _SUFFIX_ID.sub("", word)
    if len(s) > 5:
        s = _SUFFIX2_ID.sub("", s)
    if len(s) > 5:
        prefixless = _PREFIX_ID.sub("", s)
        s = prefixless if len(prefixless) >= 3 else s
    if s == word:
        s = _SUFFIX_EN.sub("", word)
        s = s if len(s) >= 3 else word
    return s


def concept(word: str) -> str | None:
    return CONCEPTS.get(word) or CONCEPTS.get(stem(word))
