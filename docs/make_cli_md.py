"""Writes docs/cli.md from the click commands' own help.

Run ``python docs/make_cli_md.py`` after changing a command; a test fails
while docs/cli.md differs from what this prints.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from wxrbridge.cli import cli

HEADER = """# Command line reference

Generated from the commands' own `--help` by `python docs/make_cli_md.py`;
do not edit by hand.

Exit codes: 0 ok, 1 `verify` found differences, 2 usage, 3 bad input,
4 store error. Errors are one line, `file:line:column: reason`; `--debug`
shows the traceback.

## Shell completion

click generates completion scripts. For bash, add to `~/.bashrc`:

    eval "$(_WXRBRIDGE_COMPLETE=bash_source wxrbridge)"

For zsh use `zsh_source` in `~/.zshrc`; for fish,
`_WXRBRIDGE_COMPLETE=fish_source wxrbridge | source` in
`~/.config/fish/completions/wxrbridge.fish`.
"""


def _sections(
    command: click.Command, path: list[str], parent: click.Context | None = None
) -> list[str]:
    # Subcommands inherit settings (such as -h) from their parent's context.
    ctx = click.Context(command, info_name=path[-1], parent=parent, terminal_width=100,
                        **command.context_settings)
    text = command.get_help(ctx)
    out = [f"## `{' '.join(path)}`\n\n```\n{text}\n```\n"]
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                out.extend(_sections(sub, [*path, name], ctx))
    return out


def render() -> str:
    return HEADER + "\n" + "\n".join(_sections(cli, ["wxrbridge"]))


if __name__ == "__main__":
    target = Path(__file__).with_name("cli.md")
    target.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {target}\n")
