# bash completion for cryo (installed by meson install into
# share/bash-completion/completions/cryo).
_cryo() {
    local cur prev
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "build inspect help --help --version" -- "$cur"))
        return
    fi
    case ${COMP_WORDS[1]} in
    build)
        case $prev in
        -o|--output|--report|--sbom) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --path|--include-data) COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --native) COMPREPLY=($(compgen -W "auto cache memory" -- "$cur")); return ;;
        --allocator|--gc) COMPREPLY=($(compgen -W "cryo python" -- "$cur")); return ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "-o --output -m --entry-point --path --include-module
                --include-package --exclude-module --include-data --exclude-data --allow-missing-lib
                --allow-python-env --keep-symbols --no-sources --no-deep-freeze --deep-freeze-packages --native= --report --sbom --app-version --allocator=
                --gc= --gc-growth= --gc-pause-ms= --mem-release= -O -OO --optimize= -q --quiet -v --verbose
                --help" -- "$cur"))
        else
            COMPREPLY=($(compgen -f -X '!*.py' -- "$cur") $(compgen -d -- "$cur"))
        fi
        ;;
    inspect)
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--json --sbom --image --help" -- "$cur"))
        else
            COMPREPLY=($(compgen -f -- "$cur"))
        fi
        ;;
    help) COMPREPLY=($(compgen -W "build inspect" -- "$cur")) ;;
    esac
}
complete -F _cryo cryo
