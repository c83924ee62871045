function __csp-audit_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __csp-audit_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __csp-audit_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __csp-audit_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __csp-audit_parse_tokens -S
    set -l unparsed_tokens (__csp-audit_tokens -pc)
    switch $unparsed_tokens[1]
    case 'csp-audit'
        __csp-audit_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'hash'
            __csp-audit_parse_subcommand -r 1 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'version' 'h/help'
        case 'check'
            __csp-audit_parse_subcommand 1 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'version' 'h/help'
        case 'help'
            __csp-audit_parse_subcommand -r 1 'version'
        end
    end
end

function __csp-audit_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __csp-audit_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __csp-audit_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __csp-audit_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__csp-audit_tokens -p)
    if test -z "$(__csp-audit_tokens -t)"
        set -l index (count (__csp-audit_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'csp-audit' -f
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit" version' -l 'version' -d 'Show the version.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_positional "csp-audit" -eq 1' -fa 'hash' -d 'Print the SHA-256 fingerprint of files (sha256sum format).'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_positional "csp-audit" -eq 1' -fa 'check' -d 'Verify files against a list of SHA-256 fingerprints.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_positional "csp-audit" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit hash" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-audit_complete_directories)'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit hash" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit hash" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit hash" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit hash" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_positional "csp-audit hash" -ge 1' -F
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit hash" version' -l 'version' -d 'Show the version.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit hash" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit check" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-audit_complete_directories)'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit check" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit check" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit check" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit check" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_positional "csp-audit check" -eq 1' -F
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit check" version' -l 'version' -d 'Show the version.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit help" version' -l 'version' -d 'Show the version.'
