function __csp-tx_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __csp-tx_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __csp-tx_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __csp-tx_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __csp-tx_parse_tokens -S
    set -l unparsed_tokens (__csp-tx_tokens -pc)
    switch $unparsed_tokens[1]
    case 'csp-tx'
        __csp-tx_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'submit'
            __csp-tx_parse_subcommand -r 2 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'node=' 'json=' 'batch=' 'no-wait' 'sign-only' 'signed=+' 'window=' 'timeout=' 'once=' 'version' 'h/help'
        case 'call'
            __csp-tx_parse_subcommand -r 2 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'node=' 'id=' 'timeout=' 'once=' 'dry-run' 'sign-only' 'version' 'h/help'
        case 'show'
            __csp-tx_parse_subcommand 1 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'node=' 'timeout=' 'version' 'h/help'
        case 'todo'
            __csp-tx_parse_subcommand 0 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'node=' 'timeout=' 'limit=' 'version' 'h/help'
        case 'contract'
            __csp-tx_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'propose'
                __csp-tx_parse_subcommand 1 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'node=' 'timeout=' 'version' 'h/help'
            case 'upgrade'
                __csp-tx_parse_subcommand 1 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'node=' 'timeout=' 'version' 'h/help'
            case 'approve'
                __csp-tx_parse_subcommand 2 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'node=' 'hash=' 'timeout=' 'version' 'h/help'
            case 'list'
                __csp-tx_parse_subcommand 0 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'node=' 'timeout=' 'calls' 'version' 'h/help'
            case 'show'
                __csp-tx_parse_subcommand 2 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'node=' 'timeout=' 'version' 'h/help'
            end
        case 'accounts'
            __csp-tx_parse_subcommand 1 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'node=' 'timeout=' 'version' 'h/help'
        case 'query'
            __csp-tx_parse_subcommand 1 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'node=' 'timeout=' 'limit=' 'after=' 'prefix=' 'version' 'h/help'
        case 'history'
            __csp-tx_parse_subcommand 1 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'node=' 'timeout=' 'limit=' 'after=' 'version' 'h/help'
        case 'tx'
            __csp-tx_parse_subcommand 1 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'node=' 'timeout=' 'version' 'h/help'
        case 'block'
            __csp-tx_parse_subcommand 1 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'node=' 'timeout=' 'version' 'h/help'
        case 'blocks'
            __csp-tx_parse_subcommand 0 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'node=' 'timeout=' 'from=' 'to=' 'follow' 'version' 'h/help'
        case 'account'
            __csp-tx_parse_subcommand 1 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'node=' 'timeout=' 'limit=' 'after=' 'version' 'h/help'
        case 'watch'
            __csp-tx_parse_subcommand 0 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'node=' 'from=' 'contract=' 'event=' 'account=' 'mine' 'values' 'count=' 'retry=' 'version' 'h/help'
        case 'endorse'
            __csp-tx_parse_subcommand 1 'home=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'version' 'h/help'
        case 'decode'
            __csp-tx_parse_subcommand 1 'home=' 'format=' 'q/quiet' 'v/verbose' 'version' 'h/help'
        case 'encode'
            __csp-tx_parse_subcommand 0 'home=' 'format=' 'q/quiet' 'v/verbose' 'json=' 'version' 'h/help'
        case 'help'
            __csp-tx_parse_subcommand -r 1 'version'
        end
    end
end

function __csp-tx_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __csp-tx_parse_subcommand -S -a positional_count
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

function __csp-tx_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __csp-tx_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__csp-tx_tokens -p)
    if test -z "$(__csp-tx_tokens -t)"
        set -l index (count (__csp-tx_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'csp-tx' -f
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx" version' -l 'version' -d 'Show the version.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx" -eq 1' -fa 'submit' -d 'Sign and submit a transaction, or a batch of them, and wait for the commit.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx" -eq 1' -fa 'call' -d 'Fire a workflow transition (DEFINITION.TRANSITION) and print the instance\'s new state.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx" -eq 1' -fa 'show' -d 'Print a workflow instance: its state, parties, fields, current operators, deadline and timeline.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx" -eq 1' -fa 'todo' -d 'List the workflow instances where it is my turn, oldest deadline first.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx" -eq 1' -fa 'contract' -d 'Propose, upgrade, approve, list and show workflow contract definitions.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx" -eq 1' -fa 'accounts' -d 'List the registered accounts, or show one account\'s profile.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx" -eq 1' -fa 'query' -d 'Read a key\'s current value, or every key under --prefix (paged).'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx" -eq 1' -fa 'history' -d 'Print a key\'s history, oldest first (paged; exit 1 when the key never had a value).'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx" -eq 1' -fa 'tx' -d 'Print a committed transaction and its validation code (exit 1 when unknown).'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx" -eq 1' -fa 'block' -d 'Print a block by number or hash, with its transactions.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx" -eq 1' -fa 'blocks' -d 'Stream blocks --from A [--to B] as JSON lines, stopping at the head unless --follow.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx" -eq 1' -fa 'account' -d 'Print the transactions that involve an account (ORG/ID), in commit order (paged; exit 1 when none does).'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx" -eq 1' -fa 'watch' -d 'Stream events as JSON lines, in commit order; reconnects and resumes after a node restart.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx" -eq 1' -fa 'endorse' -d 'Co-sign a signed transaction (from --sign-only) with the identity in --home.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx" -eq 1' -fa 'decode' -d 'Show a signed transaction (from --sign-only or endorse): its call, creator and endorsers.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx" -eq 1' -fa 'encode' -d 'Print the canonical bytes and the id of a transaction body given as JSON.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx submit" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-tx_complete_directories)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx submit" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx submit" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx submit" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx submit" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx submit" channel' -l 'channel' -d 'The channel (default: $CSP_CHANNEL, else \'channel\' in <home>/config).' -rfka '(csp-node channels 2>/dev/null)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx submit" node' -l 'node' -d 'Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx submit" -eq 1' -fka 'account.deregister account.register anchor.batch anchor.record config.add-org config.remove-org config.set-admins config.set-crl config.set-cutting config.set-policy contract.approve contract.propose contract.upgrade kv.delete kv.put'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx submit" json' -l 'json' -d 'Arguments as a JSON object of strings; - for standard input.' -rF
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx submit" batch' -l 'batch' -d 'NDJSON calls, one per line; - for standard input.' -rF
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx submit" no-wait' -l 'no-wait' -d 'Return once the node has accepted the transaction, without waiting for the block.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx submit" sign-only' -l 'sign-only' -d 'Sign but do not submit: print the signed transaction (base64) for --signed or \'csp-tx endorse\'.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx submit"' -l 'signed' -d 'Submit a transaction signed earlier with --sign-only (repeatable; - for standard input).' -rF
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx submit" window' -l 'window' -d 'Transactions in flight at once with --batch.' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx submit" timeout' -l 'timeout' -d 'How long to wait for each answer from the node: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit. When it expires after the transaction was sent, the outcome is unknown: exit 75.' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx submit" once' -l 'once' -d 'An idempotency key recorded on chain: a retry with the same key by the same identity takes no second effect and is answered with the first transaction\'s id and block (1-128 of A-Z a-z 0-9 . _ : @ + -).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx submit" version' -l 'version' -d 'Show the version.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx submit" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx call" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-tx_complete_directories)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx call" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx call" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx call" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx call" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx call" channel' -l 'channel' -d 'The channel (default: $CSP_CHANNEL, else \'channel\' in <home>/config).' -rfka '(csp-node channels 2>/dev/null)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx call" node' -l 'node' -d 'Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx call" -eq 1' -fka '(__csp-tx_custom_completion ---completion call -- positional@0 (count (__csp-tx_tokens -pc)) (__csp-tx_tokens -tC))'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx call" id' -l 'id' -d 'The instance (default for a creating transition: a new id).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx call" timeout' -l 'timeout' -d 'How long to wait for each answer from the node: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit. When it expires after the transaction was sent, the outcome is unknown: exit 75.' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx call" once' -l 'once' -d 'An idempotency key recorded on chain: a retry with the same key by the same identity takes no second effect and is answered with the first transaction\'s id and block (1-128 of A-Z a-z 0-9 . _ : @ + -).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx call" dry-run' -l 'dry-run' -d 'Print the call as a \'submit --batch\' line (fingerprints computed) instead of sending it.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx call" sign-only' -l 'sign-only' -d 'Sign but do not send: print the signed transaction for \'csp-tx endorse\' or \'csp-tx submit --signed\'.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx call" version' -l 'version' -d 'Show the version.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx call" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx show" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-tx_complete_directories)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx show" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx show" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx show" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx show" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx show" channel' -l 'channel' -d 'The channel (default: $CSP_CHANNEL, else \'channel\' in <home>/config).' -rfka '(csp-node channels 2>/dev/null)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx show" node' -l 'node' -d 'Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx show" timeout' -l 'timeout' -d 'How long to wait for the node before giving up: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit.' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx show" version' -l 'version' -d 'Show the version.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx todo" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-tx_complete_directories)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx todo" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx todo" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx todo" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx todo" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx todo" channel' -l 'channel' -d 'The channel (default: $CSP_CHANNEL, else \'channel\' in <home>/config).' -rfka '(csp-node channels 2>/dev/null)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx todo" node' -l 'node' -d 'Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx todo" timeout' -l 'timeout' -d 'How long to wait for the node before giving up: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit.' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx todo" limit' -l 'limit' -d 'At most this many instances; 0 for all.' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx todo" version' -l 'version' -d 'Show the version.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx todo" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract" version' -l 'version' -d 'Show the version.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx contract" -eq 1' -fa 'propose' -d 'Propose a workflow definition (a JSON or YAML file) for approval.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx contract" -eq 1' -fa 'upgrade' -d 'Propose a new version of an active workflow definition.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx contract" -eq 1' -fa 'approve' -d 'Approve a proposed workflow definition for my organisation.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx contract" -eq 1' -fa 'list' -d 'List the workflow definitions: each version, its status and approvals.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx contract" -eq 1' -fa 'show' -d 'Show a workflow definition: status, approvals, states and transitions.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract propose" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-tx_complete_directories)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract propose" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract propose" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract propose" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract propose" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract propose" channel' -l 'channel' -d 'The channel (default: $CSP_CHANNEL, else \'channel\' in <home>/config).' -rfka '(csp-node channels 2>/dev/null)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract propose" node' -l 'node' -d 'Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx contract propose" -eq 1' -F
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract propose" timeout' -l 'timeout' -d 'How long to wait for each answer from the node: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit. When it expires after the transaction was sent, the outcome is unknown: exit 75.' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract propose" version' -l 'version' -d 'Show the version.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract propose" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract upgrade" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-tx_complete_directories)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract upgrade" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract upgrade" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract upgrade" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract upgrade" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract upgrade" channel' -l 'channel' -d 'The channel (default: $CSP_CHANNEL, else \'channel\' in <home>/config).' -rfka '(csp-node channels 2>/dev/null)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract upgrade" node' -l 'node' -d 'Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx contract upgrade" -eq 1' -F
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract upgrade" timeout' -l 'timeout' -d 'How long to wait for each answer from the node: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit. When it expires after the transaction was sent, the outcome is unknown: exit 75.' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract upgrade" version' -l 'version' -d 'Show the version.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract upgrade" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract approve" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-tx_complete_directories)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract approve" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract approve" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract approve" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract approve" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract approve" channel' -l 'channel' -d 'The channel (default: $CSP_CHANNEL, else \'channel\' in <home>/config).' -rfka '(csp-node channels 2>/dev/null)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract approve" node' -l 'node' -d 'Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract approve" hash' -l 'hash' -d 'The SHA-256 (hex) of the definition you reviewed (default: the proposal\'s).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract approve" timeout' -l 'timeout' -d 'How long to wait for each answer from the node: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit. When it expires after the transaction was sent, the outcome is unknown: exit 75.' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract approve" version' -l 'version' -d 'Show the version.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract approve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract list" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-tx_complete_directories)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract list" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract list" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract list" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract list" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract list" channel' -l 'channel' -d 'The channel (default: $CSP_CHANNEL, else \'channel\' in <home>/config).' -rfka '(csp-node channels 2>/dev/null)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract list" node' -l 'node' -d 'Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract list" timeout' -l 'timeout' -d 'How long to wait for the node before giving up: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit.' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract list" calls' -l 'calls' -d 'Print DEFINITION.TRANSITION for every active definition, one per line, for \'csp-tx call\'.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract list" version' -l 'version' -d 'Show the version.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract show" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-tx_complete_directories)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract show" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract show" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract show" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract show" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract show" channel' -l 'channel' -d 'The channel (default: $CSP_CHANNEL, else \'channel\' in <home>/config).' -rfka '(csp-node channels 2>/dev/null)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract show" node' -l 'node' -d 'Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract show" timeout' -l 'timeout' -d 'How long to wait for the node before giving up: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit.' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract show" version' -l 'version' -d 'Show the version.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx contract show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx accounts" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-tx_complete_directories)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx accounts" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx accounts" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx accounts" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx accounts" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx accounts" channel' -l 'channel' -d 'The channel (default: $CSP_CHANNEL, else \'channel\' in <home>/config).' -rfka '(csp-node channels 2>/dev/null)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx accounts" node' -l 'node' -d 'Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx accounts" timeout' -l 'timeout' -d 'How long to wait for the node before giving up: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit.' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx accounts" version' -l 'version' -d 'Show the version.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx accounts" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx query" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-tx_complete_directories)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx query" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx query" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx query" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx query" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx query" channel' -l 'channel' -d 'The channel (default: $CSP_CHANNEL, else \'channel\' in <home>/config).' -rfka '(csp-node channels 2>/dev/null)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx query" node' -l 'node' -d 'Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx query" timeout' -l 'timeout' -d 'How long to wait for the node before giving up: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit.' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx query" limit' -l 'limit' -d 'At most this many items (1 to 1000).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx query" after' -l 'after' -d 'Continue after this token (printed on stderr as \'next page: --after TOKEN\' by the previous page).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx query" prefix' -l 'prefix' -d 'Read every key starting with this prefix instead.' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx query" version' -l 'version' -d 'Show the version.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx query" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx history" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-tx_complete_directories)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx history" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx history" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx history" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx history" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx history" channel' -l 'channel' -d 'The channel (default: $CSP_CHANNEL, else \'channel\' in <home>/config).' -rfka '(csp-node channels 2>/dev/null)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx history" node' -l 'node' -d 'Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx history" timeout' -l 'timeout' -d 'How long to wait for the node before giving up: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit.' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx history" limit' -l 'limit' -d 'At most this many items (1 to 1000).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx history" after' -l 'after' -d 'Continue after this token (printed on stderr as \'next page: --after TOKEN\' by the previous page).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx history" version' -l 'version' -d 'Show the version.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx history" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx tx" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-tx_complete_directories)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx tx" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx tx" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx tx" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx tx" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx tx" channel' -l 'channel' -d 'The channel (default: $CSP_CHANNEL, else \'channel\' in <home>/config).' -rfka '(csp-node channels 2>/dev/null)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx tx" node' -l 'node' -d 'Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx tx" timeout' -l 'timeout' -d 'How long to wait for the node before giving up: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit.' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx tx" version' -l 'version' -d 'Show the version.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx tx" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx block" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-tx_complete_directories)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx block" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx block" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx block" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx block" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx block" channel' -l 'channel' -d 'The channel (default: $CSP_CHANNEL, else \'channel\' in <home>/config).' -rfka '(csp-node channels 2>/dev/null)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx block" node' -l 'node' -d 'Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx block" timeout' -l 'timeout' -d 'How long to wait for the node before giving up: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit.' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx block" version' -l 'version' -d 'Show the version.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx block" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx blocks" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-tx_complete_directories)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx blocks" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx blocks" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx blocks" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx blocks" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx blocks" channel' -l 'channel' -d 'The channel (default: $CSP_CHANNEL, else \'channel\' in <home>/config).' -rfka '(csp-node channels 2>/dev/null)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx blocks" node' -l 'node' -d 'Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx blocks" timeout' -l 'timeout' -d 'How long to wait for the node before giving up: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit.' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx blocks" from' -l 'from' -d 'The first block.' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx blocks" to' -l 'to' -d 'The last block (default: the head, or no end with --follow).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx blocks" follow' -l 'follow' -d 'After the head, wait for new blocks and print each as it commits.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx blocks" version' -l 'version' -d 'Show the version.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx blocks" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx account" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-tx_complete_directories)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx account" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx account" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx account" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx account" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx account" channel' -l 'channel' -d 'The channel (default: $CSP_CHANNEL, else \'channel\' in <home>/config).' -rfka '(csp-node channels 2>/dev/null)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx account" node' -l 'node' -d 'Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx account" timeout' -l 'timeout' -d 'How long to wait for the node before giving up: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit.' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx account" limit' -l 'limit' -d 'At most this many items (1 to 1000).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx account" after' -l 'after' -d 'Continue after this token (printed on stderr as \'next page: --after TOKEN\' by the previous page).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx account" version' -l 'version' -d 'Show the version.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx account" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx watch" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-tx_complete_directories)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx watch" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx watch" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx watch" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx watch" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx watch" channel' -l 'channel' -d 'The channel (default: $CSP_CHANNEL, else \'channel\' in <home>/config).' -rfka '(csp-node channels 2>/dev/null)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx watch" node' -l 'node' -d 'Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx watch" from' -l 'from' -d 'The first block to deliver events from.' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx watch" contract' -l 'contract' -d 'Only events of this contract.' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx watch" event' -l 'event' -d 'Only events with this name.' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx watch" account' -l 'account' -d 'Only transactions involving this account (ORG/ID).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx watch" mine' -l 'mine' -d 'Only my notifications: transitions that make me an operator or concern an instance I am a party to.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx watch" values' -l 'values' -d 'With each event, the values its transaction wrote (\'writes\': key to new value, null when deleted; needs the state read).'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx watch" count' -l 'count' -d 'Stop after this many events (default: run until interrupted).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx watch" retry' -l 'retry' -d 'Seconds to keep retrying a node that is down before giving up.' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx watch" version' -l 'version' -d 'Show the version.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx watch" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx endorse" home' -l 'home' -d 'The home folder and its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-tx_complete_directories)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx endorse" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx endorse" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx endorse" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx endorse" -eq 1' -F
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx endorse" channel' -l 'channel' -d 'Refuse a transaction for any other channel (default: $CSP_CHANNEL when set).' -rfka ''
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx endorse" version' -l 'version' -d 'Show the version.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx endorse" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx decode" home' -l 'home' -d 'The home folder and its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-tx_complete_directories)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx decode" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx decode" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx decode" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_positional "csp-tx decode" -eq 1' -F
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx decode" version' -l 'version' -d 'Show the version.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx decode" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx encode" home' -l 'home' -d 'The home folder and its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-tx_complete_directories)'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx encode" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx encode" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx encode" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx encode" json' -l 'json' -d 'The transaction as JSON; - for standard input.' -rF
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx encode" version' -l 'version' -d 'Show the version.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx encode" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-tx' -n '__csp-tx_should_offer_completions_for_flags_or_options "csp-tx help" version' -l 'version' -d 'Show the version.'
