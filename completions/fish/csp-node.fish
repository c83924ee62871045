function __csp-node_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __csp-node_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __csp-node_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __csp-node_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __csp-node_parse_tokens -S
    set -l unparsed_tokens (__csp-node_tokens -pc)
    switch $unparsed_tokens[1]
    case 'csp-node'
        __csp-node_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'init'
            __csp-node_parse_subcommand 0 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'config=' 'version' 'h/help'
        case 'start'
            __csp-node_parse_subcommand 0 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'version' 'h/help'
        case 'status'
            __csp-node_parse_subcommand 0 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'version' 'h/help'
        case 'channels'
            __csp-node_parse_subcommand 0 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'version' 'h/help'
        case 'check'
            __csp-node_parse_subcommand 0 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'version' 'h/help'
        case 'rebuild'
            __csp-node_parse_subcommand 0 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'version' 'h/help'
        case 'help'
            __csp-node_parse_subcommand -r 1 'version'
        end
    end
end

function __csp-node_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __csp-node_parse_subcommand -S -a positional_count
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

function __csp-node_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __csp-node_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__csp-node_tokens -p)
    if test -z "$(__csp-node_tokens -t)"
        set -l index (count (__csp-node_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'csp-node' -f
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node" version' -l 'version' -d 'Show the version.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_positional "csp-node" -eq 1' -fa 'init' -d 'Create a channel from a genesis configuration (JSON or YAML); writes block 0.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_positional "csp-node" -eq 1' -fa 'start' -d 'Serve every channel in --home on the Unix socket until SIGTERM or SIGINT.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_positional "csp-node" -eq 1' -fa 'status' -d 'Show a running node\'s channels: height, last block hash, commit hash, counts, uptime.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_positional "csp-node" -eq 1' -fa 'channels' -d 'List the channels in --home (works whether or not the node runs).'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_positional "csp-node" -eq 1' -fa 'check' -d 'Re-verify every block of a channel from its block files: signatures, admission, re-execution.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_positional "csp-node" -eq 1' -fa 'rebuild' -d 'Rebuild a channel\'s index and state from its block files (the node must be stopped).'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_positional "csp-node" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node init" home' -l 'home' -d 'The participant\'s folder: identity, keys, configuration (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-node_complete_directories)'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node init" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else <home>/node.sock).' -rF
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node init" format' -l 'format' -d 'Output format: json (one object per line) or text.' -rfka 'json text'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node init" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node init" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening, on stderr.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node init" channel' -l 'channel' -d 'The channel\'s name; must match the configuration.' -rfka ''
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node init" config' -l 'config' -d 'The genesis configuration.' -rF
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node init" version' -l 'version' -d 'Show the version.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node init" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node start" home' -l 'home' -d 'The participant\'s folder: identity, keys, configuration (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-node_complete_directories)'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node start" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else <home>/node.sock).' -rF
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node start" format' -l 'format' -d 'Output format: json (one object per line) or text.' -rfka 'json text'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node start" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node start" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening, on stderr.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node start" version' -l 'version' -d 'Show the version.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node start" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node status" home' -l 'home' -d 'The participant\'s folder: identity, keys, configuration (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-node_complete_directories)'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node status" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else <home>/node.sock).' -rF
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node status" format' -l 'format' -d 'Output format: json (one object per line) or text.' -rfka 'json text'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node status" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node status" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening, on stderr.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node status" version' -l 'version' -d 'Show the version.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node channels" home' -l 'home' -d 'The participant\'s folder: identity, keys, configuration (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-node_complete_directories)'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node channels" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else <home>/node.sock).' -rF
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node channels" format' -l 'format' -d 'Output format: json (one object per line) or text.' -rfka 'json text'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node channels" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node channels" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening, on stderr.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node channels" version' -l 'version' -d 'Show the version.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node channels" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node check" home' -l 'home' -d 'The participant\'s folder: identity, keys, configuration (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-node_complete_directories)'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node check" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else <home>/node.sock).' -rF
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node check" format' -l 'format' -d 'Output format: json (one object per line) or text.' -rfka 'json text'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node check" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node check" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening, on stderr.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node check" channel' -l 'channel' -d 'The channel to check (default: every channel in --home).' -rfka ''
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node check" version' -l 'version' -d 'Show the version.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node rebuild" home' -l 'home' -d 'The participant\'s folder: identity, keys, configuration (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-node_complete_directories)'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node rebuild" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else <home>/node.sock).' -rF
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node rebuild" format' -l 'format' -d 'Output format: json (one object per line) or text.' -rfka 'json text'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node rebuild" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node rebuild" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening, on stderr.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node rebuild" channel' -l 'channel' -d 'The channel whose index to rebuild.' -rfka ''
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node rebuild" version' -l 'version' -d 'Show the version.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node rebuild" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node help" version' -l 'version' -d 'Show the version.'
