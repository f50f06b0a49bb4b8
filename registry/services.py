"""Writes to the registry: the import of the fund's extract (docs/product.md §6).

What an import does with a file:

- A problem with the file as a whole (unreadable, empty, header only, wrong header, ``,``
  instead of ``;``, bytes that are not in the stated encoding) refuses it: nothing changes.
- A line that breaks the contract is rejected and reported with its number and the reason;
  the other lines are imported. A person or company on a rejected line keeps what the
  registry already held. An identifier on several lines rejects all of them.
- The registry is only ever added to or updated: someone absent from a new extract stays.
- Everything happens in one transaction: an import that stops halfway (a crash, Ctrl-C, the
  database going away) leaves the previous registry as it was, and readers see the previous
  registry until the new one is committed.

Each import is recorded in RegistryImport and in the audit log, with counts and rejected
lines, never with an identifier in clear. An import killed outright cannot record its end:
the next import, or the back-office's list of imports, records it as failed.
"""

import codecs
import heapq
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

from audit.models import AuditEvent
from audit.services import audit_record
from registry.digests import identity_key, line_digester
from registry.lines import (
    EXTRACTS,
    FileRefused,
    ImportWords,
    LineContext,
    decode_line,
    init_process,
    parse_block,
    parse_block_in_process,
    read_header,
)
from registry.models import RegistryImport
from registry.staging import Staging

# The report keeps this many rejected lines (the first ones); the count covers them all.
REJECTED_LINES_KEPT = 1000
# Lines staged at once by the first reading: large enough to amortize, small enough to stay flat.
CHUNK_LINES = 5000
# Bytes of whole lines handed to a parser at once (about 5,000 lines of a payments extract).
BLOCK_BYTES = 1 << 19
# Below this many lines to parse, starting parsing processes costs more than it saves.
PARALLEL_MIN_LINES = 50_000
MAX_WORKERS = 4
_HEADER_ONLY = _("Le fichier ne contient que la ligne d'en-tête : aucune ligne à importer.")
_MODIFIED = _("Le fichier a été modifié pendant l'import : relancez-le.")
# How the messages of an import of the registry (persons, companies) name what it changes.
REGISTRY_WORDS = ImportWords(
    unchanged=_("Le registre n'a pas changé."),
    stopped=_("L'import s'est arrêté avant la fin (%(error)s) : le registre n'a pas changé."),
    vanished=_(
        "L'import s'est arrêté avant la fin : son processus a disparu (arrêt forcé ou "
        "redémarrage du serveur). Le registre n'a pas changé."
    ),
    interrupted=_("Import interrompu : le registre n'a pas changé."),
    up_to_date=_("Rien n'a changé : le registre était déjà à jour."),
)

Progress = Callable[[int, int], None]


def registry_import(
    *,
    path: str | os.PathLike,
    kind: str,
    encoding: str = "utf-8",
    agent=None,
    progress: Progress | None = None,
    workers: int | None = None,
    file_name: str | None = None,
    record: RegistryImport | None = None,
) -> RegistryImport:
    """Import an extract of the fund: persons (``kind="persons"``), companies, or any kind
    registered with ``registry.lines.extract_register`` (payments, contributions).

    Returns the RegistryImport, whose status says done or refused (the refusal's reason in
    ``message``); an interruption is recorded as failed and re-raised. ``progress(done,
    total)`` is called with bytes read, per batch. ``workers``: parsing processes, by
    default as many as the processors (at most 4) for many lines to parse, none for few; as
    with any use of multiprocessing, a script that calls this must guard its entry point
    with ``if __name__ == "__main__":`` (manage.py, gunicorn and pytest do). ``file_name``:
    the name the record and the audit log keep, when ``path`` is a copy (an upload).
    ``record``: the queued record of an upload (``registry.tasks.registry_upload_queue``), run now.
    """
    if kind not in EXTRACTS:
        raise ValueError(f"unknown extract kind {kind!r}")
    codec = encoding_check(encoding)
    path = Path(path)
    # The report is stored, so it is written in the site's language, whoever starts it.
    with translation.override(settings.LANGUAGE_CODE):
        record = _import(
            path=path,
            file_name=Path(file_name or path).name[:255],
            kind=kind,
            codec=codec,
            agent=agent,
            progress=progress,
            workers=workers,
            record=record,
        )
    if record.status == RegistryImport.Status.DONE:
        for hook in IMPORT_DONE_HOOKS:
            hook()
    return record


# What other apps do once an import has landed (messaging settles the change requests that the
# registry now shows). They register here from their AppConfig.ready, so that the registry
# imports nothing above it (docs/architecture.md).
IMPORT_DONE_HOOKS: list[Callable[[], object]] = []


def import_done_hook(hook: Callable[[], object]) -> Callable[[], object]:
    """Run `hook` after every registry import that succeeded (once, whatever the caller)."""
    if hook not in IMPORT_DONE_HOOKS:
        IMPORT_DONE_HOOKS.append(hook)
    return hook


def _import(*, path, file_name, kind, codec, agent, progress, workers, record) -> RegistryImport:
    registry_imports_interrupted_close()
    with transaction.atomic():
        if record is None:
            record = RegistryImport.objects.create(
                kind=kind, file_name=file_name, agent=agent, pid=os.getpid()
            )
        else:
            record.status, record.pid = RegistryImport.Status.RUNNING, os.getpid()
            record.save(update_fields=["status", "pid"])
        # Taken before the record is visible: no one can find it running yet unlocked.
        _running_lock(record, take=True)
    try:
        # Its own transaction, not @transaction.atomic: the record above must outlive a
        # rollback, to say what happened.
        with transaction.atomic():
            _Import(record, path, codec, progress, workers).run()
    except FileRefused as refusal:
        record.status = RegistryImport.Status.REFUSED
        record.message = (
            _translate(refusal.message, refusal.params)
            + " "
            + gettext(import_words(record.kind).unchanged)
        )
        record.created = record.updated = record.unchanged = record.rejected = 0
        record.rejected_lines = []
    except BaseException as error:
        record.status = RegistryImport.Status.FAILED
        # The error's text could quote a value; its kind is enough to say what happened.
        record.message = gettext(import_words(record.kind).stopped) % {
            "error": type(error).__name__
        }
        record.created = record.updated = record.unchanged = record.rejected = 0
        record.rejected_lines = []
        _finish(record)
        raise
    _finish(record)
    return record


def encoding_check(encoding: str) -> str:
    """Return the codec's canonical name, or raise ValueError with a French message.

    The file is read line by line, so the encoding must write ``;`` and line ends as ASCII
    does (UTF-8, Latin-1, Windows-1252… but not UTF-16).
    """
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        raise ValueError(
            gettext("Encodage inconnu : %(encoding)s.") % {"encoding": encoding}
        ) from None
    if codec.name == "utf-8-sig":
        return "utf-8"  # the byte order mark is dropped from the header anyway
    try:
        ascii_compatible = "\n;".encode(codec.name, errors="replace") == b"\n;"
    except LookupError:  # a transform such as rot13 or hex, not a text encoding
        ascii_compatible = False
    if not ascii_compatible:
        raise ValueError(
            gettext("Encodage non pris en charge : %(encoding)s.") % {"encoding": encoding}
        )
    return codec.name


def registry_imports_interrupted_close() -> int:
    """Mark as failed the imports « en cours » whose process is gone; return how many.

    An import killed outright (SIGKILL, a machine's restart) never records its end. On
    PostgreSQL a running import holds an advisory lock, which the server releases when the
    import's connection ends: a lock that can be taken means the import is over. Elsewhere
    (SQLite, one machine) its process is looked for. Its transaction was rolled back: the
    registry did not change.
    """
    closed = 0
    for record in RegistryImport.objects.filter(status=RegistryImport.Status.RUNNING):
        if _still_running(record):
            continue
        # Stored, so in the site's language, whoever shows the list.
        with translation.override(settings.LANGUAGE_CODE):
            message = gettext(import_words(record.kind).vanished)
        # Conditional, so that two pages shown at once record it once.
        if RegistryImport.objects.filter(pk=record.pk, status=record.status).update(
            status=RegistryImport.Status.FAILED, finished_at=timezone.now(), message=message
        ):
            record.refresh_from_db()
            _audit(record, interrupted=True)
            closed += 1
    return closed


# Advisory lock namespace (PostgreSQL) of running imports; the second key is the import's id.
_RUNNING_LOCKS = 0x52474953


def _running_lock(record: RegistryImport, *, take: bool) -> None:
    """Take or release the advisory lock that says the import is running (PostgreSQL)."""
    if connection.vendor == "postgresql":
        function = "pg_advisory_lock" if take else "pg_advisory_unlock"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s, %s)", [_RUNNING_LOCKS, record.pk])


def _still_running(record: RegistryImport) -> bool:
    if connection.vendor == "postgresql":
        # Read, not tried: trying would succeed in the import's own session, locks being
        # re-entrant there.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND classid = %s::bigint::oid AND objid = %s::bigint::oid AND objsubid = 2)",
                [_RUNNING_LOCKS, record.pk],
            )
            return cursor.fetchone()[0]
    if record.pid is None:
        return False
    try:
        os.kill(record.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


def _finish(record: RegistryImport) -> None:
    try:
        record.finished_at = timezone.now()
        record.save()
        _audit(record)
    finally:
        # Released whatever happened: a persistent connection would otherwise keep saying
        # that the import runs.
        _running_lock(record, take=False)


def _audit(record: RegistryImport, **extra) -> None:
    audit_record(
        AuditEvent.Type.REGISTRY_IMPORT,
        actor=record.agent,
        import_id=record.pk,
        kind=record.kind,
        file_name=record.file_name,
        status=record.status,
        created=record.created,
        updated=record.updated,
        unchanged=record.unchanged,
        rejected=record.rejected,
        **extra,
    )


def _translate(message: str, params: dict) -> str:
    text = gettext(message)
    return text % params if params else text


class _Import:
    """One run: check the file, find the lines already held, parse the others, merge.

    The file is read twice: first to decode every line (an encoding error refuses the file
    before anything else) and stage its keyed digest, which one join compares with the
    registry; then to parse only the lines the registry does not already hold as they are.
    Into an empty table (a first import) nothing can be held: the first reading is skipped
    and every line parsed at once; an encoding error then refuses the file from wherever it
    is found, the transaction leaving the table empty as it was.
    """

    def __init__(self, record, path, codec, progress, workers):
        self.record = record
        self.path = path
        self.codec = codec
        self.progress = progress
        self.workers = workers
        # A heap of (-line, -sequence, entry), largest line on top: the first lines are kept.
        self.rejects: list = []
        self.rejected = 0
        self.one_reading = False
        self.parsed_lines = 0

    def run(self) -> None:
        try:
            file = self.path.open("rb")
        except OSError as error:
            raise FileRefused(
                _("Impossible de lire le fichier : %(reason)s."), {"reason": error.strerror}
            ) from None
        staging = Staging(self.record.kind)
        with file:
            before = os.fstat(file.fileno())
            self.total = before.st_size
            context = self._context(file)
            body = file.tell()
            staging.create()
            # Into an empty table every line is new: the first reading would find nothing
            # held, so the lines are parsed in one reading.
            self.one_reading = staging.target_empty()
            if self.one_reading:
                # An estimate, for the parsing processes: the last line may have no line end.
                to_parse, count = None, _newlines(file) + 1
                file.seek(body)
            else:
                lines = self._stage_lines(file, staging, context)
                if lines == 0:
                    raise FileRefused(_HEADER_ONLY)
                # One bit a line, set for the lines to parse: flat for millions of lines (a
                # byte more for the empty text after the file's last line end).
                to_parse, count = bytearray(self.last_line // 8 + 2), 0
                for line in staging.lines_to_parse():
                    to_parse[line >> 3] |= 1 << (line & 7)
                    count += 1
                file.seek(body)
            if count:
                blocks = self._blocks(file, to_parse)
                parsed = self._parsed(blocks, context, count, staging.postgresql)
                for rows, rejects, lines_parsed in parsed:
                    self.parsed_lines += lines_parsed
                    staging.write(rows)
                    for line, column, message, params in rejects:
                        self._reject(line, column, _translate(message, params))
                    self._progress(2)
            if self.one_reading:
                lines = self.parsed_lines
                if lines == 0:
                    raise FileRefused(_HEADER_ONLY)
            if self.progress:
                self.progress(self.total, self.total)
            after = os.fstat(file.fileno())
        if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
            raise FileRefused(_MODIFIED)
        now = timezone.now()
        created = self._insert_into_empty(staging, now) if self.one_reading else None
        if created is None:
            self._reject_duplicates(staging)
            self._reject_unresolved(staging)
            created, updated = staging.merge(now, into_empty=self.one_reading)
        else:
            updated = 0
        staging.drop()
        record = self.record
        record.status = RegistryImport.Status.DONE
        record.created, record.updated = created, updated
        record.unchanged = lines - self.rejected - created - updated
        record.rejected = self.rejected
        record.rejected_lines = [entry for *_order, entry in sorted(self.rejects, reverse=True)]
        record.message = _summary(record)

    def _stage_lines(self, file, staging: Staging, context: LineContext) -> int:
        """First reading: stage every line's number and digest; return how many lines."""
        digest, count = line_digester(context.reading, key=context.key), 0
        for chunk in self._chunks(file):
            staging.write_lines([(number, digest(text)) for number, text in chunk])
            count += len(chunk)
            self._progress(1)
        return count

    def _blocks(self, file, to_parse: bytearray | None):
        """Second reading, or the only one: yield the lines to parse by blocks of whole lines,
        ``(first line number, bytes, wanted)``, for ``registry.lines.parse_block``.

        The lines are neither decoded nor split here, but by the parser. ``wanted`` is the
        part of ``to_parse`` that covers the block's lines (whose bytes may hold a neighbour's
        bits), and a block whose part is all clear is not yielded; without ``to_parse`` (one
        reading), every line is parsed.
        """
        number, unended = 2, []  # the start of a line longer than a read
        self.position = file.tell()
        while read := file.read(BLOCK_BYTES):
            end = read.rfind(b"\n") + 1
            if not end:
                unended.append(read)
                continue
            block = b"".join([*unended, read[:end]]) if unended else read[:end]
            unended = [read[end:]] if end < len(read) else []
            yield from self._block(number, block, to_parse)
            number += block.count(b"\n")
        if unended:  # the last line, without a line end
            yield from self._block(number, b"".join(unended), to_parse)

    def _block(self, first: int, block: bytes, to_parse: bytearray | None):
        self.position += len(block)
        if to_parse is None:
            yield first, block, None
            return
        base, after = first & ~7, first + block.count(b"\n")
        if after >> 3 >= len(to_parse):  # lines the first reading did not see
            raise FileRefused(_MODIFIED)
        wanted = bytes(to_parse[base >> 3 : (after >> 3) + 1])
        if wanted.strip(b"\0"):
            yield first, block, (base, wanted)

    def _insert_into_empty(self, staging: Staging, now) -> int | None:
        """Insert every staged row at once; return how many, or None to take the long way.

        Into an empty table a file without repeated identifiers nor unknown references,
        the usual case, needs no search for them: the insert breaks no uniqueness and
        inserts all the rows staged. Otherwise it is undone, and the duplicates and unknown
        references are looked for as in any import.
        """
        staged = self.parsed_lines - self.rejected
        try:
            with transaction.atomic():
                inserted = staging.insert_found(now)
                if inserted == staged:
                    return inserted
                transaction.set_rollback(True)
        except IntegrityError:  # an identifier on two lines: the savepoint is rolled back
            pass
        return None

    def _reject_unresolved(self, staging: Staging) -> None:
        """Lines naming someone the registry does not hold (a payment of an unknown NIR)."""
        unresolved = staging.unresolved()
        column = EXTRACTS[self.record.kind].references[0].line_column if unresolved else ""
        for line, message in unresolved:
            self._reject(line, column, gettext(message))
        if unresolved:
            staging.drop_rows([line for line, _message in unresolved])

    def _reject_duplicates(self, staging: Staging) -> None:
        column = EXTRACTS[self.record.kind].key_column
        parsed_lines = []
        for lines in staging.duplicates():
            reason = gettext(
                "Identifiant en double dans le fichier (lignes %(lines)s) : aucune de ces "
                "lignes n'est importée."
            ) % {"lines": _enumeration(lines)}
            for line in lines:
                self._reject(line, column, reason)
            parsed_lines += lines
        if parsed_lines:
            staging.drop_rows(parsed_lines)

    def _progress(self, reading: int) -> None:
        """Report progress: the first reading counts for a tenth, the parsing for the rest."""
        if self.progress:
            if self.one_reading:
                done = self.position
            elif reading == 1:
                done = self.position // 10
            else:
                done = self.total // 10 + self.position * 9 // 10
            self.progress(min(done, self.total), self.total)

    def _context(self, file) -> LineContext:
        first = file.readline()
        if not first.strip():
            if first and any(line.strip() for line in file):
                raise FileRefused(
                    _("La première ligne est vide : elle doit porter les noms des colonnes.")
                )
            raise FileRefused(_("Le fichier est vide."))
        header = decode_line(first, 1, self.codec)
        if header.startswith("\ufeff"):  # the byte order mark some editors put first
            header = header[1:]
        return LineContext(
            kind=self.record.kind,
            parser=EXTRACTS[self.record.kind].parser,
            key=identity_key(),
            phone_region=settings.PHONE_DEFAULT_REGION,
            today=timezone.localdate(),
            positions=read_header(header.rstrip("\r\n"), self.record.kind),
            encoding=self.codec,
            block_parser=EXTRACTS[self.record.kind].block_parser,
        )

    def _chunks(self, file) -> Iterator[list[tuple[int, str]]]:
        """Yield the lines after the header as ``(line number, text)``, by chunks.

        Blank lines are skipped; the header is line 1, so numbers are those a text editor
        shows.
        """
        number, chunk = 1, []
        self.position = file.tell()
        for raw in file:
            number += 1
            self.position += len(raw)
            text = decode_line(raw, number, self.codec).rstrip("\r\n")
            if text and not text.isspace():
                chunk.append((number, text))
                if len(chunk) == CHUNK_LINES:
                    yield chunk
                    chunk = []
        self.last_line = number
        if chunk:
            yield chunk

    def _parsed(self, blocks, context: LineContext, count: int, copy_text: bool):
        """Yield ``parse_block``'s results for each block, in order, parsed here or by a pool."""
        workers = self.workers
        if workers is None:
            many = count >= PARALLEL_MIN_LINES
            workers = min(os.cpu_count() or 1, MAX_WORKERS) if many else 0
        if workers <= 0:
            for first, block, wanted in blocks:
                yield parse_block(first, block, context, copy_text=copy_text, wanted=wanted)
            return
        # forkserver: the parsing processes start from a clean interpreter, not from a copy
        # of this one with its database connection.
        mp_context = multiprocessing.get_context("forkserver")
        parsers = {name.split(":")[0] for name in (context.parser, context.block_parser) if name}
        mp_context.set_forkserver_preload(["registry.lines", *sorted(parsers)])
        with ProcessPoolExecutor(
            workers,
            mp_context=mp_context,
            initializer=init_process,
            initargs=(context, copy_text),
        ) as pool:
            pending = deque()
            try:
                for first, block, wanted in blocks:
                    pending.append(pool.submit(parse_block_in_process, first, block, wanted))
                    # A bounded number of blocks in flight keeps memory flat.
                    if len(pending) > 2 * workers:
                        yield pending.popleft().result()
                while pending:
                    yield pending.popleft().result()
            except BaseException:
                pool.shutdown(cancel_futures=True)
                raise

    def _reject(self, line: int, column: str | None, reason: str) -> None:
        self.rejected += 1
        item = (-line, -self.rejected, {"line": line, "column": column or "", "reason": reason})
        if len(self.rejects) < REJECTED_LINES_KEPT:
            heapq.heappush(self.rejects, item)
        elif -self.rejects[0][0] > line:
            heapq.heapreplace(self.rejects, item)


def import_words(kind: str) -> ImportWords:
    """How the messages of an import of ``kind`` name what it changes."""
    extract = EXTRACTS.get(kind)
    return (extract and extract.words) or REGISTRY_WORDS


def _newlines(file) -> int:
    """How many line ends remain in the file, read by blocks (flat memory)."""
    count = 0
    while block := file.read(1 << 20):
        count += block.count(b"\n")
    return count


def _enumeration(numbers: list[int]) -> str:
    """ "3 et 5", "3, 5 et 9"."""
    texts = [str(number) for number in numbers]
    if len(texts) == 1:
        return texts[0]
    return gettext("%(first)s et %(last)s") % {"first": ", ".join(texts[:-1]), "last": texts[-1]}


def _summary(record: RegistryImport) -> str:
    text = gettext(
        "Créés : %(created)s ; mis à jour : %(updated)s ; inchangés : %(unchanged)s ; "
        "lignes rejetées : %(rejected)s."
    ) % {
        "created": record.created,
        "updated": record.updated,
        "unchanged": record.unchanged,
        "rejected": record.rejected,
    }
    if not record.created and not record.updated:
        text += " " + gettext(import_words(record.kind).up_to_date)
    if record.rejected > len(record.rejected_lines):
        text += " " + gettext("Le rapport liste les %(kept)s premières lignes rejetées.") % {
            "kept": len(record.rejected_lines)
        }
    return text
