"""The ``wxrbridge`` command: a thin shell over :mod:`wxrbridge.api`.

Each command opens what it needs, calls one library function and reports.
Library errors become one line on stderr and an exit code: 2 usage, 3 bad
input, 4 store; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import gc
import io
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource

from .errors import InputError, NoSuchThreadError, OutputError, UnknownOptionError, WxrbridgeError
from .version import __version__

if TYPE_CHECKING:
    from . import formats
    from .api import LoadReport, MergeOptions, Selection
    from .formats import Format, Option
    from .inputs import ProgressCallback
else:
    class _Registry:
        """:mod:`wxrbridge.formats`, imported when a command first needs it:
        ``wxrbridge --help`` and ``--version`` need no format (nor the
        input helpers the registry imports)."""

        def __getattr__(self, name: str) -> Any:
            from . import formats

            return getattr(formats, name)

    formats = _Registry()

F = TypeVar("F", bound=Callable[..., Any])


class _Group(click.Group):
    """Turns wxrbridge's named errors into one readable line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WxrbridgeError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                # The traceback, and still the line and the exit code.
                import traceback

                traceback.print_exc(file=sys.stderr)
            click.echo(f"wxrbridge: error: {_message(exc)}", err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:
            # The reader of standard output has gone (``| head``): what it
            # wanted it had; end quietly, as a shell tool does.
            _silence_stdout()
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo("wxrbridge: interrupted; nothing was committed", err=True)
            ctx.exit(130)


def _freeze_start_up() -> None:
    """Keep what start-up built out of the garbage collector's later passes.

    The modules a command has imported by now (SQLAlchemy's above all) live
    as long as the process; without this, the collections a long import or
    export sets off walk them again and again: 2% of the instructions of
    a 20,000-comment import.
    """
    gc.freeze()


def plural(count: int, noun: str) -> str:
    """formats.tally's count of a noun."""
    from .formats.tally import plural

    return plural(count, noun)


def input_size(name: str) -> int | None:
    from .inputs import input_size

    return input_size(name)


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that Python's last flush of
    it at exit does not fail on the closed pipe again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # not a real file descriptor (a test runner's capture)


def _message(exc: WxrbridgeError) -> str:
    """The error as the command line says it: options by their flags."""
    if isinstance(exc, InputError) and exc.recoverable:
        return f"{exc} (--recover repairs this)"
    if isinstance(exc, NoSuchThreadError):
        return (f"no thread matches --thread {exc.wanted!r} (an id, identifier, link or "
                "guid); nothing was written")
    if not isinstance(exc, UnknownOptionError):
        return str(exc)
    flags = ", ".join(o.flag for o in formats.get(exc.format).options if o.cli)
    takes = f"its options: {flags}" if flags else "it has no options of its own"
    given = ", ".join(formats.cli_flag(name) for name in exc.unknown)
    return f"{exc.format} does not take {given} ({takes})"


class _Later:
    """Options of a command made from the format registry, made when the
    command is first used (its line parsed, its help shown): ``wxrbridge
    --help`` and ``--version`` then load no format."""

    def __init__(self, make: Callable[[], Sequence[Callable[[F], F]]]) -> None:
        self.make = make


def _later(make: Callable[[], Sequence[Callable[[F], F]]]) -> Callable[[F], F]:
    """Options ``make`` gives, in its order, where this decorator stands
    (for a :class:`_FormatsCommand`)."""
    def decorate(function: F) -> F:
        function.__dict__.setdefault("__click_params__", []).append(_Later(make))
        return function
    return decorate


class _FormatsCommand(click.Command):
    """A command whose help ends with the formats it reads or writes, as the
    registry describes them; its options from the registry are made on first
    use (see :class:`_Later`)."""

    def __init__(self, *args: Any, listing: Callable[[], list[tuple[str, str]]],
                 **kwargs: Any) -> None:
        self._params: list[Any] = []
        super().__init__(*args, **kwargs)
        self.listing = listing

    @property
    def params(self) -> list[click.Parameter]:
        if any(isinstance(param, _Later) for param in self._params):
            self._params = self._made(self._params)
        return self._params

    @params.setter
    def params(self, value: list[click.Parameter]) -> None:
        self._params = value

    def _made(self, given: list[Any]) -> list[click.Parameter]:
        made: list[click.Parameter] = []
        for param in given:
            if isinstance(param, _Later):
                holder = click.Command(self.name)  # each option appends itself to it
                for option in param.make():
                    option(holder)  # type: ignore[arg-type]
                made += holder.params
            else:
                made.append(param)
        # A writer option named like one of the command's own would quietly
        # take its place: refused instead.
        seen: set[str] = set()
        for param in made:
            for name in {param.name or "", *param.opts}:
                if name in seen:
                    raise ValueError(f"{self.name}: two options named {name}")
                seen.add(name)
        return made

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Formats"):
            formatter.write_dl(self.listing())
        super().format_epilog(ctx, formatter)


def _readable_formats() -> list[tuple[str, str]]:
    return [(f.name, f.description + ("; read from NAME:LOCATION" if f.read_location else ""))
            for f in formats.formats() if f.readable]


def _writable_formats(*, status: bool) -> list[tuple[str, str]]:
    rows = []
    for fmt in formats.formats():
        if fmt.write is None:
            continue
        notes = [fmt.description]
        if fmt.directory:
            notes.append("written into a folder")
        if status and fmt.statuses_add_to_approved:
            notes.append("writes approved comments and those --status names")
        rows.append((fmt.name, "; ".join(notes)))
    return rows


DB_OPTION = click.option(
    "--db",
    "db_url",
    metavar="URL",
    envvar="WXRBRIDGE_DB",
    help="Store URL (default: $WXRBRIDGE_DB, else sqlite:///wxrbridge.sqlite). "
    "PostgreSQL: postgresql+psycopg://user@host/db; MariaDB: mysql+pymysql://user@host/db.",
)
RECOVER_OPTION = click.option(
    "--recover", is_flag=True,
    help="Repair known defects of a broken file and keep every intact comment; "
    "each repair and each loss is recorded as an import issue.")
# Writing, as convert and export do: the user map applies to the records
# written (WXR author replies, a WordPress database's user_id).
MAP_USER_OPTION = click.option(
    "--map-user", "user_maps", multiple=True, metavar="DISQUS_NAME=WP_LOGIN",
    help="Write this Disqus user's comments as author replies of that "
    "WordPress login (repeatable).")
QUIET_OPTION = click.option("--quiet", "-q", is_flag=True, help="No progress bars or summary.")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wxrbridge")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Move blog comments between WordPress (WXR) and Disqus, losing none.

    \b
    Convert a WordPress export to JSON Lines:
        wxrbridge convert site.wxr.xml site.jsonl
    Import exports into a store, then export from it:
        wxrbridge import site.wxr.xml disqus-export.xml.gz --db sqlite:///site.sqlite
        wxrbridge export --db sqlite:///site.sqlite --format wxr -o merged.xml
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@contextmanager
def _bar(total: int | None, unit: str, desc: str, quiet: bool) -> Iterator[ProgressCallback]:
    """A progress bar on stderr, as the callback that advances it."""
    # Bars only for a person watching: never in a pipe or a log file.
    if quiet or not sys.stderr.isatty():
        # tqdm is not even imported then: a tenth of a second and 5 MB.
        yield _no_progress
        return
    from tqdm import tqdm

    try:
        # Some terminals (serial consoles, fresh pseudo-terminals) report
        # a width of 0, on which tqdm would draw nothing.
        width = os.get_terminal_size(sys.stderr.fileno()).columns or 80
    except OSError:
        width = 80
    with tqdm(total=total, unit=unit, unit_scale=unit == "B", desc=desc, file=sys.stderr,
              leave=False, ncols=width) as bar:

        def advance(n: int) -> None:
            bar.update(n)

        yield advance


def _no_progress(_n: int) -> None:
    """The progress callback where no bar is shown."""


def _say(quiet: bool, message: str) -> None:
    if not quiet:
        click.echo(message, err=True)


def _summarise(reports: list[LoadReport], *, stored: bool = False) -> str:
    """What an import read, or (``stored``) what the store holds from it,
    with how many of the comments read were new, unchanged and changed."""
    counts = "stored" if stored else "counts"
    comments = sum(getattr(r, counts)["comment"] for r in reports)
    threads = sum(getattr(r, counts)["thread"] for r in reports)
    merged_comments = sum(r.counts["comment merged"] for r in reports)
    merged_threads = sum(r.counts["thread merged"] for r in reports)
    orphans = sum(r.orphans for r in reports)
    text = f"{plural(comments, 'comment')} in {plural(threads, 'thread')}"
    notes = [_changes(reports, comments)] if stored else []
    if merged_comments or merged_threads:
        notes.append(
            f"plus {plural(merged_comments, 'comment')} and "
            f"{plural(merged_threads, 'thread')} merged into the stored WordPress ones"
        )
    # A WXR imported after the site's Disqus or Blogger export takes in
    # what that export stored.
    earlier_comments = sum(r.counts["stored comment merged"] for r in reports)
    earlier_threads = sum(r.counts["stored thread merged"] for r in reports)
    if earlier_comments or earlier_threads:
        notes.append(
            f"{plural(earlier_comments, 'comment')} and "
            f"{plural(earlier_threads, 'thread')} stored before merged into them"
        )
    notes = [note for note in notes if note]
    if notes:
        text += f" ({'; '.join(notes)})"
    if orphans:
        text += f"; {plural(orphans, 'reply')} to a parent not in the store (kept)"
    return text


def _changes(reports: list[LoadReport], stored: int) -> str:
    """How the comments read compare with the stored ones: ``64 new``, or
    ``128 read: 64 new, 64 unchanged`` when a file repeats what is stored."""
    read = sum(r.counts["comment"] for r in reports)
    if not read:
        return ""
    parts = [f"{sum(r.changes[kind] for r in reports)} {kind}"
             for kind in ("new", "unchanged", "changed")]
    parts = [part for part in parts if not part.startswith("0 ")] or ["0 new"]
    deleted = sum(r.changes["deleted"] for r in reports)
    if deleted:
        parts.append(f"{deleted} no longer in the file (kept)")
    lead = f"{read} read: " if read != stored else ""
    return lead + ", ".join(parts)


def _issue_lines(reports: list[LoadReport]) -> list[str]:
    """One line per kind of issue, with a count and the first example."""
    by_code: dict[str, list[Any]] = {}
    for report in reports:
        for issue in report.issues:
            by_code.setdefault(issue.code, []).append(issue)
    lines = []
    for code, issues in sorted(by_code.items()):
        first = issues[0]
        where = f" ({first.record_key})" if first.record_key else ""
        more = f" and {len(issues) - 1} more" if len(issues) > 1 else ""
        lines.append(f"{code}: {first.reason}{where}{more}")
    return lines


@cli.command("import", cls=_FormatsCommand, listing=_readable_formats)
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@DB_OPTION
@RECOVER_OPTION
@click.option("--dry-run", is_flag=True, help="Read and load, then roll back.")
@click.option("--map-user", "user_maps", multiple=True, metavar="DISQUS_NAME=WP_LOGIN",
              help="Treat a Disqus username as a WordPress user (repeatable), so their "
              "replies stay author replies. Authors whose email matches a user map by themselves.")
@click.option("--url-map", type=click.File("r", encoding="utf-8"), metavar="FILE",
              help="Old and new URL per line (a prefix or a whole permalink; the longest "
              "match wins), for a blog that moved domain or changed permalinks, used to "
              "match Disqus threads and Blogger posts to WordPress posts.")
@QUIET_OPTION
def import_command(
    files: tuple[str, ...], db_url: str | None, recover: bool, dry_run: bool,
    user_maps: tuple[str, ...], url_map: Any, quiet: bool
) -> None:
    """Import exports (WXR, Disqus, any format below) into a store.

    The format is detected from each file's content; .gz, .bz2, .xz and .zip
    are read transparently, and - reads standard input.  All files load in
    one transaction: on any error the store is left as it was.

    \b
    A Disqus export imported into a store holding the same site's WXR is
    merged into it: threads match by identifier, then URL, posts carrying
    wp_id=N match comment N, and nothing is stored twice. A WXR imported
    after the Disqus export merges it the same way: any order, in one
    command or several, gives the same store.

    A Blogger export and a WXR of the WordPress site the blog moved to
    merge the same way, in either order: posts by URL (after --url-map),
    comments carried over by an importer by author, time and text.

    \b
    Examples:
        wxrbridge import blog.wordpress.2024-05-01.xml --db sqlite:///blog.sqlite
        wxrbridge import blog.xml blog-disqus.xml.gz --map-user jdoe_mod=jdoe
        wxrbridge import blog-export.xml wordpress.xml --url-map moved.txt
        wxrbridge import wp:mysql+pymysql://root@127.0.0.1/blog   (a WordPress database)
    \b
    A --url-map file, # starting a comment:
        http://old.example.com/ https://example.com/
        https://example.blogspot.com/2019/06/beans.html https://example.com/2019/06/01/beans/
    """
    from . import api
    merge = _merge_options(user_maps, url_map)
    sizes = [input_size(f) for f in files]
    total = None if None in sizes else sum(s or 0 for s in sizes)
    with api.open_store(db_url) as store, _bar(total, "B", "reading", quiet) as bar:
        _freeze_start_up()
        reports = api.import_files(
            store, files, recover=recover, dry_run=dry_run, progress=bar, merge=merge
        )
    verb = "would import" if dry_run else "imported"
    _say(quiet, f"{verb} {_summarise(reports, stored=True)} into {store.url}")
    for line in _issue_lines(reports):
        _say(quiet, f"  {line}")


def _user_map(user_maps: tuple[str, ...]) -> dict[str, str]:
    users = {}
    for pair in user_maps:
        name, sep, login = pair.partition("=")
        if not sep or not name or not login:
            raise click.BadParameter(
                f"{pair!r} is not DISQUS_NAME=WP_LOGIN", param_hint="--map-user"
            )
        users[name] = login
    return users


def _merge_options(user_maps: tuple[str, ...], url_map: Any) -> MergeOptions:
    from . import api
    users = _user_map(user_maps)
    prefixes = api.UrlMap()
    if url_map is not None:
        try:
            prefixes = api.UrlMap.parse(url_map.read())
        except ValueError as exc:
            raise click.BadParameter(f"{url_map.name}: {exc}", param_hint="--url-map") from None
    return api.MergeOptions(url_map=prefixes, user_map=users)


def _datetime(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.rstrip("Z"))
    except ValueError:
        raise click.BadParameter(f"not a date: {value!r} (use YYYY-MM-DD[THH:MM:SS])") from None


def _status_help() -> str:
    from .canonical import STATUSES

    text = f"Only comments with this status (repeatable): {', '.join(STATUSES)}."
    adding = [f.name for f in formats.formats() if f.statuses_add_to_approved]
    if adding:
        text += (f" For {', '.join(adding)}: these statuses are written besides the "
                 "approved comments.")
    return text


def _selection_options(function: F) -> F:
    return _later(_selection_option_list)(function)


def _selection_option_list() -> list[Callable[[F], F]]:
    return [
        click.option("--thread", metavar="ID|URL",
                     help="Only this thread (id, identifier, link or guid)."),
        click.option("--since", metavar="DATE", help="Only comments made at or after DATE (UTC)."),
        click.option("--until", metavar="DATE", help="Only comments made before DATE (UTC)."),
        click.option("--status", "statuses", multiple=True, metavar="STATUS", help=_status_help(),
                     callback=lambda _context, _param, value: _statuses(value)),
        click.option("--type", "types", multiple=True, metavar="TYPE",
                     help="Only comments of this type (repeatable): comment, pingback, "
                     "trackback, …"),
    ]


def _statuses(statuses: tuple[str, ...]) -> tuple[str, ...]:
    from .canonical import STATUSES

    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise click.BadParameter(
            f"unknown status {', '.join(map(repr, unknown))}; choose from {', '.join(STATUSES)}",
            param_hint="--status",
        )
    return statuses


def _selection(thread: str | None, since: str | None, until: str | None,
               statuses: tuple[str, ...], types: tuple[str, ...]) -> Selection:
    from . import api
    return api.Selection(thread=thread, since=_datetime(since), until=_datetime(until),
                         statuses=statuses, types=types)


def _format_option(*names: str, help: str, required: bool = False) -> Callable[[F], F]:
    """``--format``/``--to``: the writable formats, as a choice."""
    return _later(lambda: [click.option(
        *names, type=click.Choice(formats.writable()), required=required, metavar="FORMAT",
        help=f"{help}: {', '.join(formats.writable())}.")])


def _writer_option(option: Option, takers: list[Format]) -> Callable[[F], F]:
    """The flag of a writer's option, its help naming the formats taking it."""
    help = f"{', '.join(f.name for f in takers)}: {option.help}"
    if option.type is bool:
        return click.option(option.flag, option.name, is_flag=True, default=False, help=help)
    kind: click.ParamType[Any] = (click.Choice(option.choices) if option.choices
                                  else click.INT if option.type is int else click.STRING)
    return click.option(option.flag, option.name, type=kind, multiple=option.multiple,
                        default=option.default, metavar=option.metavar, help=help)


def _writer_options(function: F) -> F:
    """The options of every writer, as the registry declares them, then the
    options every format takes."""
    return _later(_writer_option_list)(function)


def _writer_option_list() -> list[Callable[[F], F]]:
    options = [_writer_option(option, takers)
               for option, takers in formats.writer_options().values() if option.cli]
    options += [
        click.option("--redact", "redact_fields", metavar="FIELDS",
                     help="Replace these fields with stable one-way hashes: emails, ips "
                     "(comma-separated). The way to publish an archive."),
        click.option("--redact-salt", envvar="WXRBRIDGE_REDACT_SALT", metavar="TEXT",
                     default="", help="Secret mixed into --redact's hashes "
                     "(default: $WXRBRIDGE_REDACT_SALT), so they cannot be guessed back."),
    ]
    return options


def _given_writer_options(values: dict[str, Any]) -> dict[str, Any]:
    """The writer options given on the command line: those left at their
    default are not passed on, so a format is only handed options it takes."""
    ctx = click.get_current_context()
    declared = formats.writer_options()
    return {name: value for name, value in values.items()
            if name in declared and ctx.get_parameter_source(name) is not ParameterSource.DEFAULT}


def _redact_fields(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    fields = tuple(f.strip() for f in text.split(",") if f.strip())
    unknown = sorted(set(fields) - {"emails", "ips"})
    if unknown:
        raise click.BadParameter(
            f"unknown field {', '.join(unknown)}; choose from emails, ips", param_hint="--redact"
        )
    return fields


def _flags_for_keywords() -> list[tuple[re.Pattern[str], str]]:
    """How a writer's report names its options as a library keyword
    (``include_pings=True``, ``statuses=(…)``, ``the statuses option``),
    each with the flag the command line has for it."""
    rules = []
    for name, (option, _takers) in formats.writer_options().items():
        # --status fills the statuses option of the formats that take it.
        flag = "--status" if name == formats.STATUSES_OPTION else option.flag
        if not option.cli and name != formats.STATUSES_OPTION:
            continue
        word = re.escape(name)
        bare = rf"\b{word}\b" if "_" in name else r"(?!)"  # a keyword, not a word
        rules.append((re.compile(rf"\bthe {word} option\b|\b{word}=\S+|{bare}"), flag))
    return rules


def _cli_words(line: str, rules: list[tuple[re.Pattern[str], str]]) -> str:
    """A report line as the command line says it: options by their flags."""
    for pattern, flag in rules:
        line = pattern.sub(flag, line)
    return re.sub(r"(--[\w-]+)(?: / \1\b)+", r"\1", line)


def _report_written(quiet: bool, report: formats.WriteReport, target: str) -> None:
    from .formats.tally import grouped

    rules = _flags_for_keywords()
    # Under -q, only the losses, and those grouped by reason.
    for line in grouped(report.left_out) if quiet else report.left_out:
        click.echo(f"left out: {_cli_words(line, rules)}", err=True)
    for line in report.notes:
        _say(quiet, f"note: {_cli_words(line, rules)}")
    counts = ", ".join(plural(n, kind) for kind, n in sorted(report.written.items()))
    _say(quiet, f"wrote {counts or 'nothing'} to {target}")


@cli.command("export", cls=_FormatsCommand, listing=lambda: _writable_formats(status=True))
@DB_OPTION
@_format_option("--format", "-f", "format_name", help="Output format", required=True)
@click.option("--output", "-o", required=True, metavar="PATH",
              help="Output file, or - for stdout (a folder for a folder format; "
              "wp:URL, a WordPress database, for wp-db).")
@_selection_options
@MAP_USER_OPTION
@_writer_options
@QUIET_OPTION
def export_command(db_url: str | None, format_name: str, output: str, thread: str | None,
                   since: str | None, until: str | None, statuses: tuple[str, ...],
                   types: tuple[str, ...], user_maps: tuple[str, ...],
                   redact_fields: str | None, redact_salt: str,
                   quiet: bool, **writer_values: Any) -> None:
    """Export a store's threads and comments to a file.

    \b
    Examples:
        wxrbridge export --db sqlite:///blog.sqlite --format wxr -o blog.xml
        wxrbridge export --format jsonl -o - --status approved | gzip > archive.jsonl.gz
        wxrbridge export --format html -o archive/ --redact emails,ips
        wxrbridge export --format wp-db -o wp:mysql+pymysql://root@127.0.0.1/blog \\
            --map-user jdoe_mod=jdoe
    """
    from . import api
    options = _given_writer_options(writer_values)
    if formats.get(format_name).statuses_add_to_approved and statuses:
        # The writer shows approved comments and those asked for, rather
        # than the store reading only the statuses asked for.
        options[formats.STATUSES_OPTION] = statuses
        statuses = ()
    selection = _selection(thread, since, until, statuses, types)
    # Usage and output errors before the store's.
    formats.get(format_name).check_options(options)
    api.check_target(format_name, output)
    with api.open_store(db_url, read_only=True) as store, \
            _bar(None, " comments", "writing", quiet) as bar:
        _freeze_start_up()
        report = api.export(store, output, format=format_name, selection=selection,
                            progress=bar, redact=_redact_fields(redact_fields),
                            redact_salt=redact_salt, user_map=_user_map(user_maps), **options)
    _report_written(quiet, report, output)


@cli.command("convert", cls=_FormatsCommand, listing=lambda: _writable_formats(status=False))
@click.argument("source", metavar="INPUT")
@click.argument("target", metavar="OUTPUT")
@_format_option("--to", "to_format", help="Output format (default: from OUTPUT's extension)")
@RECOVER_OPTION
@MAP_USER_OPTION
@_writer_options
@QUIET_OPTION
def convert_command(source: str, target: str, to_format: str | None, recover: bool,
                    user_maps: tuple[str, ...], redact_fields: str | None, redact_salt: str,
                    quiet: bool, **writer_values: Any) -> None:
    """Convert an export to another format, through a temporary store.

    \b
    Examples:
        wxrbridge convert blog.xml blog.jsonl
        wxrbridge convert disqus-export.xml.gz comments.xml --to wxr
        wxrbridge convert comments.db site.wxr.xml        (Isso's database)
        wxrbridge convert disqus-export.xml.gz comments.db --to isso
        wxrbridge convert disqus-export.xml.gz wp:mysql+pymysql://root@127.0.0.1/blog
    """
    from . import api
    if to_format is None:
        try:
            to_format = api.by_target(target).name
        except OutputError as exc:
            raise click.UsageError(f"{exc} with --to") from None
    with _bar(input_size(source), "B", "reading", quiet) as read_bar, \
            _bar(None, " comments", "writing", quiet) as write_bar:
        _freeze_start_up()
        result = api.convert(source, target, to=to_format, recover=recover,
                             read_progress=read_bar, write_progress=write_bar,
                             user_map=_user_map(user_maps), redact=_redact_fields(redact_fields),
                             redact_salt=redact_salt, **_given_writer_options(writer_values))
    _say(quiet, f"read {_summarise(result.imported)} from {source}")
    for line in _issue_lines(result.imported):
        _say(quiet, f"  {line}")
    _report_written(quiet, result.written, target)


def _stats(file: str | None, db_url: str | None, recover: bool) -> dict[str, Any]:
    """The counts of a file (as a scratch store holding it would give them)
    or of the store."""
    from . import api
    if file is not None:
        return api.file_stats(file, recover=recover)
    if recover:
        raise click.UsageError("--recover is for reading a FILE, not a store")
    with api.open_store(db_url, read_only=True) as store:
        return store.stats()


def _table(stats: dict[str, Any]) -> str:
    lines = []
    for key in ("threads", "comments", "replies", "orphans", "max_depth", "changed", "deleted"):
        lines.append(f"{key.replace('_', ' '):<12}{stats[key]:>10}")
    for group in ("by_type", "by_status"):
        lines.append(f"{group.replace('_', ' ')}:")
        for name, count in stats[group].items():
            lines.append(f"  {name:<18}{count:>10}")
    return "\n".join(lines)


@cli.command("stats")
@click.argument("file", required=False, metavar="[FILE]")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@RECOVER_OPTION
def stats_command(file: str | None, db_url: str | None, as_json: bool, recover: bool) -> None:
    """Count threads, comments, replies, orphans and depth, of a file or a store.

    \b
    Examples:
        wxrbridge stats samples/agency-blog.wxr.xml
        wxrbridge stats --db sqlite:///blog.sqlite --json
        wxrbridge stats broken-export.xml --recover
    """
    stats = _stats(file, db_url, recover)
    import json

    click.echo(json.dumps(stats, indent=2, sort_keys=True) if as_json else _table(stats))


@cli.command("verify")
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--exact", is_flag=True,
              help="Compare two XML files element by element instead (CDATA versus escaped "
              "text, whitespace between elements and comments aside).")
@RECOVER_OPTION
def verify_command(a: str, b: str, as_json: bool, exact: bool, recover: bool) -> None:
    """Check a migration: are A and B the same threads and comments?

    Each of A and B is an export file or a store URL. Comments are matched
    across formats (a WXR against a Disqus export of the same site) by the
    merge's identity rules, then threads, parent links, types, statuses,
    authors (name, email, URL, IP address, site user id), dates, content
    and comment meta are compared. Exit status: 0 when equivalent, 1 when
    not. Memory stays flat: both sides wait in a scratch file.

    \b
    Treated as equal on purpose:
      - ids renumbered by a writer, when an identity token still pairs them
      - the order of threads, comments and meta entries
      - CDATA or escaped text; spaces around dates, emails, URLs and IPs;
        the case of emails
      - the spellings of one status or type ("1" and "approve"; "" and
        "comment"), and trash, post-trashed and deleted between WXR and
        Disqus
      - an email, URL or date that one side does not have
      - across formats, what one of them cannot hold: an IP address unless
        both are WXR, Disqus or WP REST (Isso keeps only its network); a
        site user id unless both are WXR or WP REST; comment meta unless
        both are the same format
      - the _wxrbridge_* meta that carries an id or a parent across formats
      - between a saved page (wp-page) and another format: content and
        author names as the text a reader sees (tags stripped, entities
        unescaped, curly quotes, dashes and ellipses as typed, whitespace
        collapsed), site users by login (the page shows no user ids; one
        whose login the other side does not list is any site user), and
        the other side's comments a page cannot show (pending, spam,
        trash)
    Threads are paired, not compared field by field; users and terms are
    not compared.
    --exact compares two XML files element by element instead; --recover
    reads a broken file as import --recover does (WordPress's own export
    writes a bare & of a commenter's URL).

    \b
    Examples:
        wxrbridge verify blog.wxr.xml imported-back.wxr.xml
        wxrbridge verify blog.wxr.xml sqlite:///blog.sqlite --json
    """
    import json

    from . import api
    ctx = click.get_current_context()
    if exact:
        lines = api.compare_xml(a, b)
        if as_json:
            click.echo(json.dumps({"equivalent": not lines, "differences": lines}, indent=2))
        else:
            for line in lines:
                click.echo(line)
            click.echo("equivalent" if not lines else f"{plural(len(lines), 'difference')}")
        ctx.exit(0 if not lines else 1)
    _freeze_start_up()
    report = api.verify(a, b, recover=recover)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        for difference in report.differences:
            click.echo(str(difference))
        (ta, tb), (ca, cb) = report.threads, report.comments
        verdict = "equivalent" if report.equivalent else (
            f"{plural(len(report.differences), 'difference')}")
        click.echo(f"A: {plural(ta, 'thread')}, {plural(ca, 'comment')}; "
                   f"B: {plural(tb, 'thread')}, {plural(cb, 'comment')}: {verdict}")
    ctx.exit(0 if report.equivalent else 1)


@cli.group("db")
def db_group() -> None:
    """Create, check and upgrade a store's schema."""


@db_group.command("upgrade")
@DB_OPTION
def db_upgrade(db_url: str | None) -> None:
    """Bring a store's schema up to this version of wxrbridge (creates it if new).

    \b
    Example:
        wxrbridge db upgrade --db postgresql+psycopg://wxr@localhost/comments
    """
    from . import api
    revision = api.upgrade_store(db_url)
    click.echo(f"{revision.url}: at {revision.current} (head)")


@db_group.command("current")
@DB_OPTION
def db_current(db_url: str | None) -> None:
    """Show a store's schema revision and whether it is current.

    \b
    Example:
        wxrbridge db current --db sqlite:///blog.sqlite
    """
    from . import api
    revision = api.store_revision(db_url)
    state = "current" if revision.is_current else f"out of date, head is {revision.head}"
    click.echo(f"{revision.url}: {revision.current or 'empty'} ({state})")


def main() -> None:
    """Run the command line (the ``wxrbridge`` script)."""
    cli(prog_name="wxrbridge")
