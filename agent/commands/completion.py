"""`indexdesk completion bash|zsh|fish`: a shell completion script, generated from the parser itself.

    eval "$(indexdesk completion bash)"                       # in ~/.bashrc
    indexdesk completion zsh > "${fpath[1]}/_indexdesk"       # or eval it in ~/.zshrc
    indexdesk completion fish > ~/.config/fish/completions/indexdesk.fish

Commands, their subcommands and every flag come from argparse, so a new command completes without
an edit here. Standard library only.
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("completion", help="shell completion script: bash, zsh or fish")
    p.add_argument("shell", choices=["bash", "zsh", "fish"])
    p.set_defaults(func=cmd_completion)


def _tree(parser: argparse.ArgumentParser) -> dict:
    """{"flags": [...], "commands": {name: (help, subtree)}} for a parser and its subparsers."""
    flags: list[str] = []
    commands: dict[str, tuple[str, dict]] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, sub in action.choices.items():
                commands[name] = (helps.get(name, ""), _tree(sub))
        else:
            flags += [o for o in action.option_strings if o.startswith("--")]
    return {"flags": sorted(set(flags)), "commands": commands}


def bash(tree: dict) -> str:
    cases = []
    for name, (_, sub) in tree["commands"].items():
        words = list(sub["commands"]) + sub["flags"]
        cases.append(f'        {name}) words="{" ".join(words)}" ;;')
        for child, (_, leaf) in sub["commands"].items():
            cases.append(f'        {name}/{child}) words="{" ".join(leaf["flags"])}" ;;')
    top = " ".join(list(tree["commands"]) + tree["flags"])
    return f"""# indexdesk completion for bash: eval "$(indexdesk completion bash)"
_indexdesk() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" path="" word words="{top}" i
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${{COMP_WORDS[i]}}"
        [[ "$word" == -* ]] && continue
        if [[ -z "$path" ]]; then path="$word"; elif [[ "$path" != */* ]]; then path="$path/$word"; fi
    done
    if [[ -n "$path" ]]; then
        case "$path" in
{chr(10).join(cases)}
        *) words="" ;;
        esac
    fi
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    [[ ${{#COMPREPLY[@]}} -eq 0 ]] && COMPREPLY=($(compgen -f -- "$cur"))
    return 0
}}
complete -o filenames -F _indexdesk indexdesk
"""


def zsh(tree: dict) -> str:
    return ("#compdef indexdesk\n# indexdesk completion for zsh: the bash function through bashcompinit\n"
            "autoload -U +X bashcompinit && bashcompinit\n" + bash(tree).split("\n", 1)[1])


def fish(tree: dict) -> str:
    def quote(text: str) -> str:
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"

    lines = ["# indexdesk completion for fish: indexdesk completion fish > ~/.config/fish/completions/indexdesk.fish",
             "complete -c indexdesk -f"]
    names = " ".join(tree["commands"])
    for name, (help_text, sub) in tree["commands"].items():
        lines.append(f"complete -c indexdesk -n 'not __fish_seen_subcommand_from {names}' -a {name} -d {quote(help_text)}")
        for child, (child_help, leaf) in sub["commands"].items():
            lines.append(f"complete -c indexdesk -n '__fish_seen_subcommand_from {name}' -a {child} -d {quote(child_help)}")
        for flag in sorted(set(sub["flags"] + [f for _, (_, leaf) in sub["commands"].items() for f in leaf["flags"]])):
            lines.append(f"complete -c indexdesk -n '__fish_seen_subcommand_from {name}' -l {flag[2:]}")
    for flag in tree["flags"]:
        lines.append(f"complete -c indexdesk -l {flag[2:]}")
    return "\n".join(lines) + "\n"


def cmd_completion(args: argparse.Namespace) -> int:
    from indexdesk.agent.cli import build_parser

    tree = _tree(build_parser())
    print({"bash": bash, "zsh": zsh, "fish": fish}[args.shell](tree), end="")
    return 0
