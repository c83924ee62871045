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
        case 'genesis'
            __csp-node_parse_subcommand 0 'home=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'org=+' 'crl=+' 'orderer=' 'admin=+' 'policy=' 'max-transactions=' 'max-bytes=' 'block-timeout=' 'timestamp-window=' 'version' 'h/help'
        case 'init'
            __csp-node_parse_subcommand 0 'home=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'config=' 'version' 'h/help'
        case 'join'
            __csp-node_parse_subcommand 0 'home=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'genesis=' 'orderer=' 'peer=+' 'access' 'version' 'h/help'
        case 'start'
            __csp-node_parse_subcommand 0 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'listen=' 'advertise=' 'version' 'h/help'
        case 'status'
            __csp-node_parse_subcommand 0 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'peers' 'version' 'h/help'
        case 'channels'
            __csp-node_parse_subcommand 0 'home=' 'format=' 'q/quiet' 'v/verbose' 'version' 'h/help'
        case 'config'
            __csp-node_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'show'
                __csp-node_parse_subcommand 0 'home=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'version' 'h/help'
            end
        case 'check'
            __csp-node_parse_subcommand 0 'home=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'version' 'h/help'
        case 'rebuild'
            __csp-node_parse_subcommand 0 'home=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'version' 'h/help'
        case 'clear-fork'
            __csp-node_parse_subcommand 0 'home=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'version' 'h/help'
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
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_positional "csp-node" -eq 1' -fa 'genesis' -d 'Build a channel\'s genesis configuration from CA homes and certificate files; prints commented YAML.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_positional "csp-node" -eq 1' -fa 'init' -d 'Create a channel from a genesis configuration (JSON or YAML); writes block 0.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_positional "csp-node" -eq 1' -fa 'join' -d 'Join a channel as a follower of its orderer: create its ledger from block 0.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_positional "csp-node" -eq 1' -fa 'start' -d 'Serve every channel in --home on the Unix socket (and TCP with mutual TLS) until SIGTERM or SIGINT.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_positional "csp-node" -eq 1' -fa 'status' -d 'Show a running node\'s channels: height, last block hash, commit hash, counts, uptime.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_positional "csp-node" -eq 1' -fa 'channels' -d 'List the channels in --home (works whether or not the node runs).'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_positional "csp-node" -eq 1' -fa 'config' -d 'Show a channel\'s configuration in force.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_positional "csp-node" -eq 1' -fa 'check' -d 'Re-verify every block of a channel from its block files: signatures, admission, re-execution.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_positional "csp-node" -eq 1' -fa 'rebuild' -d 'Rebuild a channel\'s index and state from its block files (the node must be stopped).'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_positional "csp-node" -eq 1' -fa 'clear-fork' -d 'Clear a stopped channel\'s recorded state fork, once its cause is repaired.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_positional "csp-node" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node genesis" home' -l 'home' -d 'The home folder and its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-node_complete_directories)'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node genesis" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node genesis" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node genesis" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node genesis" channel' -l 'channel' -d 'The channel\'s name: 1-64 characters of a-z, 0-9 and \'-\'.' -rfka ''
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node genesis"' -l 'org' -d 'A member organisation and its CA: a CA home (csp-ca init --home) or a PEM file of its CA chain (repeatable).' -rF
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node genesis"' -l 'crl' -d 'A further CRL for an organisation, e.g. its root\'s above an intermediate CA home (repeatable).' -rF
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node genesis" orderer' -l 'orderer' -d 'The ordering node\'s certificate: the node\'s home (its cert.pem) or a PEM file.' -rF
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node genesis"' -l 'admin' -d 'A channel admin, ORGANIZATION/ID as in the certificate (repeatable; at least one).' -rfka ''
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node genesis" policy' -l 'policy' -d 'The access policy: a preset (consortium, private, closed) or a JSON/YAML file of the policy schema.' -rfka '(__csp-node_custom_completion ---completion genesis -- --policy)'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node genesis" max-transactions' -l 'max-transactions' -d 'Transactions per block at most (1-10000).' -rfka ''
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node genesis" max-bytes' -l 'max-bytes' -d 'Bytes per block at most (1024-1073741824).' -rfka ''
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node genesis" block-timeout' -l 'block-timeout' -d 'How long the first waiting transaction waits for others before its block is cut (1-3600000).' -rfka ''
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node genesis" timestamp-window' -l 'timestamp-window' -d 'How far a transaction\'s timestamp may be from its block\'s (1-86400).' -rfka ''
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node genesis" version' -l 'version' -d 'Show the version.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node genesis" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node init" home' -l 'home' -d 'The home folder and its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-node_complete_directories)'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node init" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node init" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node init" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node init" channel' -l 'channel' -d 'The channel\'s name; must match the configuration.' -rfka ''
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node init" config' -l 'config' -d 'The genesis configuration.' -rF
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node init" version' -l 'version' -d 'Show the version.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node init" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node join" home' -l 'home' -d 'The home folder and its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-node_complete_directories)'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node join" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node join" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node join" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node join" channel' -l 'channel' -d 'The channel\'s name.' -rfka ''
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node join" genesis' -l 'genesis' -d 'Block 0 as a block record file, or the channel configuration.' -rF
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node join" orderer' -l 'orderer' -d 'The channel\'s orderer: its TCP listener.' -rfka ''
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node join"' -l 'peer' -d 'Another node of the channel to fetch blocks from too (repeatable).' -rfka ''
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node join" access' -l 'access' -d 'Keep the channel as an access node: verified block headers only; relay submissions and reads.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node join" version' -l 'version' -d 'Show the version.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node join" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node start" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-node_complete_directories)'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node start" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node start" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node start" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node start" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node start" listen' -l 'listen' -d 'Also serve TCP with mutual TLS on HOST:PORT (default: $CSP_NODE_LISTEN, else \'listen\' in <home>/node.conf).' -rfka ''
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node start" advertise' -l 'advertise' -d 'The HOST:PORT other nodes reach this one at, announced to them (default: $CSP_NODE_ADVERTISE, else \'advertise\' in <home>/node.conf, else the --listen address unless it is a wildcard).' -rfka ''
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node start" version' -l 'version' -d 'Show the version.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node start" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node status" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-node_complete_directories)'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node status" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node status" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node status" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node status" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node status" peers' -l 'peers' -d 'Show every node each followed channel takes blocks from.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node status" version' -l 'version' -d 'Show the version.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node channels" home' -l 'home' -d 'The home folder and its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-node_complete_directories)'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node channels" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node channels" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node channels" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node channels" version' -l 'version' -d 'Show the version.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node channels" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node config" version' -l 'version' -d 'Show the version.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node config" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_positional "csp-node config" -eq 1' -fa 'show' -d 'Print the configuration in force on a channel, decoded, as commented YAML.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node config show" home' -l 'home' -d 'The home folder and its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-node_complete_directories)'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node config show" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node config show" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node config show" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node config show" channel' -l 'channel' -d 'The channel (default: the only channel in --home).' -rfka ''
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node config show" version' -l 'version' -d 'Show the version.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node config show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node check" home' -l 'home' -d 'The home folder and its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-node_complete_directories)'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node check" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node check" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node check" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node check" channel' -l 'channel' -d 'The channel to check (default: every channel in --home).' -rfka ''
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node check" version' -l 'version' -d 'Show the version.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node rebuild" home' -l 'home' -d 'The home folder and its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-node_complete_directories)'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node rebuild" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node rebuild" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node rebuild" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node rebuild" channel' -l 'channel' -d 'The channel whose index to rebuild.' -rfka ''
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node rebuild" version' -l 'version' -d 'Show the version.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node rebuild" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node clear-fork" home' -l 'home' -d 'The home folder and its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-node_complete_directories)'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node clear-fork" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node clear-fork" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node clear-fork" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node clear-fork" channel' -l 'channel' -d 'The channel whose fork record to clear.' -rfka ''
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node clear-fork" version' -l 'version' -d 'Show the version.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node clear-fork" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-node' -n '__csp-node_should_offer_completions_for_flags_or_options "csp-node help" version' -l 'version' -d 'Show the version.'
