"""Labels and text templates in Bahasa Indonesia (``id``) and English (``en``).

Every translated word of the Excel report, the printed plan summary, the
explanations and the frontier and history summaries lives in :data:`LABELS`;
:func:`label` picks one language.  Templates hold ``str.format`` fields
(``{unit}``); numbers are formatted with :func:`number` (Indonesian:
``1.234,5``; English: ``1,234.5``).
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["LABELS", "LANGS", "Lang", "check_lang", "label", "number"]

#: A supported language: ``id`` (Bahasa Indonesia) or ``en`` (English).
Lang = Literal["id", "en"]

#: The supported languages.
LANGS: tuple[Lang, ...] = get_args(Lang)

#: key → (Bahasa Indonesia, English).
LABELS: dict[str, tuple[str, str]] = {
    # ------------------------------------------------------------ sheets
    "sheet.summary": ("Ringkasan", "Summary"),
    "sheet.moves": ("Mutasi", "Moves"),
    "sheet.units": ("Unit Kerja", "Units"),
    "sheet.not_moved": ("Tidak Dipindah", "Not moved"),
    "sheet.training": ("Pelatihan", "Training"),
    # ------------------------------------------------------- plan status
    "status.optimal": ("optimal", "optimal"),
    "status.within_gap": ("optimal dalam batas celah", "within gap"),
    "status.feasible": ("layak (belum terbukti optimal)", "feasible"),
    "status.infeasible": ("tidak layak", "infeasible"),
    "status.unknown": ("tidak diketahui", "unknown"),
    # ------------------------------------------------------------ stages
    "stage.shortfall": ("kekurangan kompetensi", "shortfall"),
    "stage.training": ("pelatihan", "training"),
    "stage.imbalance": ("ketidakseimbangan D", "imbalance"),
    "stage.balance": ("biaya keseimbangan B", "balance"),
    "stage.moves": ("jumlah mutasi", "moves"),
    "stage.preference": ("biaya preferensi", "preference"),
    # ------------------------------------------------------- stage units
    "unit.staff": ("pegawai", "staff"),
    "unit.people": ("orang", "people"),
    "unit.hours": ("jam", "hours"),
    "unit.moves": ("mutasi", "moves"),
    "unit.points": ("poin", "points"),
    # ---------------------------------------------------------- summary
    "summary.title": ("Rencana mutasi — ringkasan", "Transfer plan — summary"),
    "summary.status": ("Status", "Status"),
    "summary.date": ("Tanggal laporan", "Report date"),
    "summary.headline": ("Angka utama", "Headline numbers"),
    "summary.measure": ("Ukuran", "Measure"),
    "summary.before": ("Sebelum", "Before"),
    "summary.after": ("Sesudah", "After"),
    "summary.unit": ("Satuan", "Unit"),
    "summary.shortfall": ("Kekurangan kompetensi", "Competency shortfall"),
    "summary.training": ("Kebutuhan pelatihan", "Training needs"),
    "summary.imbalance": ("Ketidakseimbangan D", "Imbalance D"),
    "summary.balance": ("Biaya keseimbangan B", "Balance cost B"),
    "summary.balance_bound": ("Batas bawah B", "Lower bound of B"),
    "summary.balance_gap": ("Selisih B terhadap batas", "Gap of B to its bound"),
    "summary.moves": ("Jumlah mutasi", "Moves"),
    "summary.preference": ("Biaya preferensi", "Preference cost"),
    "summary.stages": ("Tahap optimasi", "Optimisation stages"),
    "summary.stage": ("Tahap", "Stage"),
    "summary.value": ("Nilai", "Value"),
    "summary.bound": ("Batas", "Bound"),
    "summary.gap": ("Selisih", "Gap"),
    "summary.stage_status": ("Status tahap", "Stage status"),
    "summary.bound_source": ("Sumber batas", "Bound source"),
    "summary.seconds": ("Detik", "Seconds"),
    "summary.diagnosis": ("Diagnosis", "Diagnosis"),
    "summary.no_plan": (
        "Tidak ada rencana yang memenuhi aturan ditemukan dalam batas waktu atau kerja.",
        "No plan meeting the rules was found within the time or work limit.",
    ),
    "summary.settings": ("Pengaturan penyelesaian", "Solve settings"),
    "summary.solve_seconds": ("Waktu penyelesaian (detik)", "Solve time (seconds)"),
    "summary.build_seconds": ("Waktu penyusunan model (detik)", "Model build time (seconds)"),
    "summary.time_limit": ("Batas waktu (detik)", "Time limit (seconds)"),
    "summary.seed": ("Seed", "Seed"),
    "summary.workers": ("Jumlah thread", "Workers"),
    "summary.policy": ("Kebijakan yang dipakai", "Policy used"),
    "summary.key": ("Kunci", "Key"),
    "summary.setting_value": ("Nilai", "Value"),
    "summary.none": ("tidak ada", "none"),
    "summary.yes": ("ya", "yes"),
    "summary.no": ("tidak", "no"),
    "summary.ej_units": ("EJ per unit kerja", "EJ per unit"),
    "summary.chart_title": (
        "EJ per unit kerja: sebelum dan sesudah",
        "EJ per unit: before and after",
    ),
    "summary.chart_y": ("EJ", "EJ"),
    # ----------------------------------------------------------- columns
    "col.nip": ("NIP", "NIP"),
    "col.name": ("Nama", "Name"),
    "col.role": ("Jabatan", "Role"),
    "col.unit": ("Unit kerja", "Unit"),
    "col.unit_name": ("Nama unit", "Unit name"),
    "col.unit_before": ("Unit asal", "Unit before"),
    "col.unit_after": ("Unit tujuan", "Unit after"),
    "col.ej_from_before": ("EJ unit asal sebelum", "EJ of unit left, before"),
    "col.ej_from_after": ("EJ unit asal sesudah", "EJ of unit left, after"),
    "col.ej_to_before": ("EJ unit tujuan sebelum", "EJ of new unit, before"),
    "col.ej_to_after": ("EJ unit tujuan sesudah", "EJ of new unit, after"),
    "col.requirements_covered": ("Kebutuhan kompetensi", "Requirements covered"),
    "col.preference_rank": ("Peringkat pilihan", "Preference rank"),
    "col.months_in_unit": ("Bulan di unit", "Months in unit"),
    "col.reason": ("Alasan", "Reason"),
    "col.workload_hours": ("Beban kerja (jam)", "Workload (hours)"),
    "col.capacity_before": ("Kapasitas sebelum (jam)", "Capacity before (hours)"),
    "col.capacity_after": ("Kapasitas sesudah (jam)", "Capacity after (hours)"),
    "col.fair_share_hours": ("Porsi wajar (jam)", "Fair share (hours)"),
    "col.ej_before": ("EJ sebelum", "EJ before"),
    "col.ej_after": ("EJ sesudah", "EJ after"),
    "col.band_before": ("Kategori EJ sebelum", "Band before"),
    "col.band_after": ("Kategori EJ sesudah", "Band after"),
    "col.preferred_units": ("Unit pilihan", "Preferred units"),
    "col.why": ("Mengapa tetap", "Why not moved"),
    "col.competency": ("Kompetensi", "Competency"),
    "col.level_now": ("Level sekarang", "Level now"),
    "col.level_needed": ("Level dibutuhkan", "Level needed"),
    "col.cause": ("Sebab", "Cause"),
    "col.people": ("Jumlah orang", "People"),
    "col.band": ("Kategori EJ", "EJ band"),
    "col.band_meaning": ("Arti", "Meaning"),
    # ------------------------------------------------------------ misc
    "cause.move": ("mutasi", "move"),
    "cause.requirement": ("persyaratan kompetensi", "requirement"),
    "band.legend": ("Keterangan kategori EJ", "EJ band legend"),
    "band.A": ("EJ > {a} (beban berlebih)", "EJ > {a} (overloaded)"),
    "band.B": ("{b} ≤ EJ ≤ {a}", "{b} ≤ EJ ≤ {a}"),
    "band.C": ("{c} ≤ EJ < {b}", "{c} ≤ EJ < {b}"),
    "band.D": ("{d} ≤ EJ < {c}", "{d} ≤ EJ < {c}"),
    "band.E": ("EJ < {d} (kelebihan pegawai)", "EJ < {d} (surplus staff)"),
    "text.wrote": ("ditulis: {files}", "wrote {files}"),
    # ------------------------------------------------ printed plan summary
    "text.plan_status": ("Status rencana: {status}", "Plan status: {status}"),
    "text.row_shortfall": ("kekurangan kompetensi (pegawai)", "competency shortfall (staff)"),
    "text.row_training": ("kebutuhan pelatihan (orang)", "training needs (people)"),
    "text.row_imbalance": ("ketidakseimbangan D (jam)", "imbalance D (hours)"),
    "text.row_balance": ("biaya keseimbangan B (jam)", "balance cost B (hours)"),
    "text.row_moves": ("mutasi", "moves"),
    "text.row_preference": ("biaya preferensi", "preference cost"),
    "text.before": ("sebelum", "before"),
    "text.after": ("sesudah", "after"),
    "text.stages": ("tahap:", "stages:"),
    "text.bound": ("batas", "bound"),
    "text.proven": ("terbukti", "proven"),
    "text.gap": ("selisih {pct}%", "gap {pct}%"),
    "text.solved_in": ("diselesaikan dalam {seconds} detik", "solved in {seconds}s"),
    "text.work_used": ("kerja {used} unit", "work {used} units"),
    "text.work_of": ("dari batas {limit}", "of a limit of {limit}"),
    "text.stopped.time_limit": ("dihentikan oleh batas waktu", "stopped by the time limit"),
    "text.stopped.work_limit": ("dihentikan oleh batas kerja", "stopped by the work limit"),
    # ------------------------------------------------------ move reasons
    "text.na": ("t/a", "n/a"),
    "text.pool_role": ("kelompok jabatan '{role}'", "role pool '{role}'"),
    "text.pool_single": ("kelompok tunggal (tanpa jabatan)", "the single role pool"),
    "text.leaves_for": (
        "{pool}: pindah dari {home} ({ej_home}) ke {unit} ({ej_unit})",
        "{pool}: leaves {home} ({ej_home}) for {unit} ({ej_unit})",
    ),
    "text.brings": (
        "menaikkan jumlah pegawai dengan {competency} ≥ {level} di {unit} dari {before} "
        "menjadi {after} (dibutuhkan {need})",
        "brings {competency} ≥ {level} at {unit} from {before} to {after} of {need} needed",
    ),
    "text.leaves_short": (
        "menyisakan {after} pegawai dengan {competency} ≥ {level} di {unit} (dibutuhkan {need})",
        "leaves {competency} ≥ {level} at {unit} at {after} of {need} needed",
    ),
    "text.preference_rank": ("pilihan ke-{rank} pegawai", "the employee's {ordinal} preference"),
    "text.not_preferred": (
        "bukan unit pilihan pegawai",
        "not among the employee's preferred units",
    ),
    "text.unlisted_exception": (
        "bukan unit yang dipilih pegawai: dibutuhkan untuk memenuhi {competency} ≥ {level} "
        "di {unit} (pengecualian individual rationality)",
        "not among the units they listed: needed to cover {competency} ≥ {level} at {unit} "
        "(individual rationality exception)",
    ),
    "text.months_in_unit": ("{months} bulan di unit", "{months} months in unit"),
    "text.overdue": (" (sudah waktunya dirotasi)", " (overdue for rotation)"),
    # ----------------------------------------------------------- why not
    "text.employee": ("Pegawai", "Employee"),
    "text.moves": ("{who} dipindah: {reason}", "{who} moves: {reason}"),
    "text.stays_because": ("{who} tetap: pegawai {text}.", "{who} stays: the employee {text}."),
    "text.immovable.locked": (
        "dikunci (locked = true), sehingga rencana tetap menempatkannya di unit asal",
        "is locked (locked = true), so the plan keeps them where they are",
    ),
    "text.immovable.pppk": (
        "berstatus PPPK dan kebijakan tidak memindahkan PPPK (allow_pppk_moves = false)",
        "is PPPK and the policy does not transfer PPPK (allow_pppk_moves = false)",
    ),
    "text.immovable.tenure": (
        "baru {months} bulan di unit, kurang dari minimum {minimum} bulan (min_months_in_unit)",
        "has {months} months in the unit, under the minimum of {minimum} (min_months_in_unit)",
    ),
    "text.immovable.inactive": (
        "tidak aktif ({status}), sehingga tidak dipindah dan kapasitasnya tidak dihitung "
        "(kecuali inactive_capacity = true)",
        "is not active ({status}), so they are not moved and their capacity is not counted "
        "(unless inactive_capacity = true)",
    ),
    "text.immovable.retiring": (
        "akan pensiun pada {retires} (BUP {age} tahun), dalam {window} bulan sejak tanggal "
        "rencana, sehingga tidak dipindah",
        "retires on {retires} (BUP {age}), within {window} months of the plan date, so "
        "they are not moved",
    ),
    "text.no_target": (
        "{who} tetap: tidak ada unit lain yang membutuhkan jabatan '{role}' di luar unit "
        "yang ditolak pegawai.",
        "{who} stays: no other unit has demand for role '{role}' outside the employee's "
        "refused units.",
    ),
    "text.stays_in": ("{who} tetap di {unit}.", "{who} stays in {unit}."),
    "text.budget_used": (
        "Kuota mutasi sudah habis ({moves} dari {budget} mutasi).",
        "The move budget is fully used ({moves} of {budget} moves).",
    ),
    "text.delta_shortfall": (
        "kekurangan kompetensi {before} → {after}",
        "competency shortfall {before} → {after}",
    ),
    "text.delta_training": (
        "kebutuhan pelatihan {before} → {after} orang",
        "training needs {before} → {after} people",
    ),
    "text.delta_imbalance": (
        "ketidakseimbangan D {before} → {after} jam",
        "imbalance D {before} → {after} hours",
    ),
    "text.delta_balance": (
        "biaya keseimbangan B {before} → {after}",
        "balance cost B {before} → {after}",
    ),
    "text.verdict_worse": (
        "yang lebih buruk menurut prioritas rencana",
        "which is worse for the plan's priorities",
    ),
    "text.verdict_same": (
        "tidak lebih baik menurut prioritas rencana, dan menambah satu mutasi",
        "no better for the plan's priorities, and it would cost one more move",
    ),
    "text.best_alternative": (
        "Alternatif terbaiknya, pindah ke {unit}, akan mengubah {deltas} — {verdict}.",
        "Their best alternative, moving to {unit}, would change {deltas} — {verdict}.",
    ),
    # ---------------------------------------------------------- frontier
    "frontier.title": (
        "Kurva mutasi terhadap keseimbangan ({points} kuota, {seconds} detik, "
        "{multiple}× satu penyelesaian tanpa kuota)",
        "Moves-versus-balance frontier ({points} budgets, {seconds} s, "
        "{multiple}× one unconstrained solve)",
    ),
    "frontier.col.budget": ("kuota", "budget"),
    "frontier.col.moves": ("mutasi", "moves"),
    "frontier.col.shortfall": ("kekurangan", "shortfall"),
    "frontier.col.imbalance": ("D (jam)", "D hours"),
    "frontier.col.reduction": ("penurunan", "reduction"),
    "frontier.col.balance": ("B (jam)", "B hours"),
    "frontier.col.balance_gap": ("selisih B", "B gap"),
    "frontier.col.preference": ("preferensi", "preference"),
    "frontier.col.overdue": ("lewat-waktu", "overdue"),
    "frontier.col.status": ("status", "status"),
    "frontier.knee_mark": (" ◀ titik siku", " ◀ knee"),
    "frontier.no_points": ("  (tidak ada titik)", "  (no points)"),
    "frontier.suggested": ("Kuota yang disarankan: ", "Suggested budget: "),
    "frontier.no_plan": (
        "Tidak ada rencana yang memenuhi aturan",
        "No plan meets the rules",
    ),
    "frontier.not_solved": (
        "Tidak ada titik kurva yang berhasil diselesaikan.",
        "No point of the curve was solved.",
    ),
    "frontier.cover": (
        "{moves} mutasi diperlukan untuk menutup kompetensi yang dibutuhkan "
        "(kekurangan {before} → {after} pegawai, sekecil mungkin)",
        "{moves} moves are needed to cover the required competencies "
        "(shortfall {before} → {after} staff, the least possible)",
    ),
    "frontier.further": ("tambahan ", "further "),
    "frontier.no_gain": (
        "tidak ada mutasi {further}yang menurunkan ketidakseimbangan (D = {d} jam); "
        "kuota dapat {moves}",
        "no {further}move reduces the imbalance (D = {d} hours); the budget can be {moves}",
    ),
    "frontier.knee": (
        "{moves} mutasi memberi {share}% dari penurunan ketidakseimbangan yang dapat dicapai "
        "(D {start} → {d} jam; seluruh {all} mutasi optimum tanpa kuota mencapai {best})",
        "{moves} moves give {share}% of the achievable reduction in imbalance "
        "(D {start} → {d} hours; all {all} moves of the unconstrained optimum reach {best})",
    ),
    "frontier.no_knee": (
        "ketidakseimbangan turun kira-kira merata seiring jumlah mutasi, tanpa titik siku "
        "yang jelas (D {start} → {best} jam dengan {all} mutasi, {per} jam per mutasi); "
        "tentukan kuota menurut jumlah mutasi yang dapat dilaksanakan",
        "the imbalance falls about evenly with the moves, with no clear knee "
        "(D {start} → {best} hours over {all} moves, {per} hours per move); "
        "choose the budget by the number of moves that can be carried out",
    ),
    # ----------------------------------------------------------- history
    "history.replayed": (
        "Riwayat diterapkan ulang: {rows} baris, {moved} pegawai dipindah",
        "History replayed: {rows} rows, {moved} employees moved",
    ),
    "history.shortfall": (
        "kekurangan kompetensi {before} → {after} pegawai",
        "shortfall {before} → {after} staff",
    ),
    "history.balance": (
        "biaya keseimbangan B {before} → {after} jam",
        "balance cost B {before} → {after} hours",
    ),
    "history.preference": ("biaya preferensi {cost}", "preference cost {cost}"),
    "history.exceptions": (
        "Pengecualian aturan dalam riwayat",
        "Rule exceptions in the history",
    ),
    "history.not_replayed": ("Baris yang tidak diterapkan ulang", "Rows not replayed"),
    "history.row": ("baris {row}: {reason}", "row {row}: {reason}"),
    "history.more": ("  … {n} lainnya", "  … {n} more"),
    "history.skip.temporary": (
        "mutasi sementara (perbantuan): tidak diterapkan ulang",
        "temporary move (a secondment): not replayed",
    ),
    "history.skip.nip": ("NIP {nip} tidak dikenal", "unknown NIP {nip}"),
    "history.skip.unit": ("unit {unit} tidak dikenal", "unknown unit {unit}"),
    "history.skip.from_unit": (
        "from_unit tertulis {given}, tetapi pegawai berada di {now}",
        "from_unit is {given} but the employee was in {now}",
    ),
    "history.compare_title": (
        "Riwayat vs optimasi ({rows} baris riwayat diterapkan ulang; optimasi dengan aturan "
        "yang sama dan jumlah mutasi yang sama, {status})",
        "History vs optimiser ({rows} history rows replayed; the optimiser "
        "under the same rules with the same number of moves, {status})",
    ),
    "history.before": (
        "sebelum: kekurangan {shortfall}, D {d} jam, B {b} jam",
        "before: shortfall {shortfall}, D {d} h, B {b} h",
    ),
    "history.col.history": ("riwayat", "history"),
    "history.col.optimiser": ("optimasi", "optimiser"),
    "history.row_shortfall": ("kekurangan (pegawai)", "shortfall (staff)"),
    "history.row_exceptions": ("pengecualian aturan", "rule exceptions"),
    "history.row_d_per_move": (
        "penurunan D per mutasi (jam)",
        "D reduced per move (hours)",
    ),
    "history.row_b_per_move": (
        "penurunan B per mutasi (jam)",
        "B reduced per move (hours)",
    ),
    "history.no_moves": ("Riwayat tidak memuat mutasi.", "The history made no moves."),
    "history.no_plan": (
        "Optimasi tidak menemukan rencana dengan jumlah mutasi riwayat.",
        "The optimiser found no plan with the history's number of moves.",
    ),
    "history.gain_no_move": (
        "Keseimbangan yang diperoleh per mutasi: riwayat {history} jam ketidakseimbangan; "
        "optimasi tidak memindahkan siapa pun (tidak ada mutasi yang memperbaiki keadaan "
        "sekarang menurut aturan).",
        "Balance gained per move: history {history} hours of imbalance; the "
        "optimiser makes no move (none improves on the current state under the rules).",
    ),
    "history.gain": (
        "Keseimbangan yang diperoleh per mutasi: riwayat {history} jam ketidakseimbangan, "
        "optimasi {optimiser}{ratio}.",
        "Balance gained per move: history {history} hours of imbalance, "
        "optimiser {optimiser}{ratio}.",
    ),
    "history.ratio": (" ({ratio}× lipat)", " ({ratio}× as much)"),
    "history.target": (
        "nilai riwayat untuk kekurangan ({shortfall}), D ({d} jam) dan B ({b} jam)",
        "the history's shortfall ({shortfall}), D ({d} h) and B ({b} h)",
    ),
    "history.unreachable": (
        "Tidak ada rencana sesuai aturan yang mencapai {target}.",
        "No plan within the rules reaches {target}.",
    ),
    "history.not_found": (
        "Dalam batas waktu atau kerja tidak ditemukan rencana yang mencapai {target}.",
        "No plan reaching {target} was found within the time or work limit.",
    ),
    "history.proven_fewest": ("terbukti paling sedikit", "proven fewest"),
    "history.at_least": ("paling sedikit {bound} diperlukan", "at least {bound} needed"),
    "history.unproven": (
        "belum terbukti paling sedikit dalam batas waktu atau kerja",
        "not proven fewest within the time or work limit",
    ),
    "history.match": (
        "Optimasi mencapai {target} dengan {moves} mutasi ({proof}); riwayat memakai {used}.",
        "The optimiser reaches {target} with {moves} moves ({proof}); the history used {used}.",
    ),
}


_SWAP_SEPARATORS = str.maketrans(",.", ".,")


def check_lang(lang: str) -> Lang:
    """``lang`` as a :data:`Lang`; a clear ``ValueError`` for anything else."""
    if lang not in LANGS:
        raise ValueError(
            f"unknown language {lang!r}: use 'id' (Bahasa Indonesia) or 'en' (English)"
        )
    return lang


def label(key: str, lang: str, default: str | None = None) -> str:
    """The text of ``key`` in ``lang`` (``id`` or ``en``).

    ``default`` is returned for a key without a label (e.g. a stage name the
    table does not know yet); without it, an unknown key is a ``KeyError``.
    """
    lang = check_lang(lang)
    if default is not None and key not in LABELS:
        return default
    pair = LABELS[key]
    return pair[0] if lang == "id" else pair[1]


def number(value: float, spec: str, lang: str) -> str:
    """``format(value, spec)`` with the language's separators (``id``: ``1.234,5``)."""
    text = format(value, spec)
    if check_lang(lang) == "id":
        return text.translate(_SWAP_SEPARATORS)
    return text
