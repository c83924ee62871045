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
            __csp-audit_parse_subcommand -r 1 'home=' 'format=' 'q/quiet' 'v/verbose' 'version' 'h/help'
        case 'check'
            __csp-audit_parse_subcommand 1 'home=' 'format=' 'q/quiet' 'v/verbose' 'version' 'h/help'
        case 'anchor'
            __csp-audit_parse_subcommand -r 1 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'node=' 'timeout=' 'ref=' 'type=' 'batch' 'receipts=' 'bundle=' 'version' 'h/help'
        case 'verify'
            __csp-audit_parse_subcommand -r 1 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'node=' 'timeout=' 'proof=+' 'ca=+' 'crl=+' 'c=' 'explain' 'version' 'h/help'
        case 'proof'
            __csp-audit_parse_subcommand 1 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'node=' 'timeout=' 'out=' 'receipt=' 'ca=+' 'crl=+' 'version' 'h/help'
        case 'ledger'
            __csp-audit_parse_subcommand 0 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'node=' 'timeout=' 'ledger=' 'version' 'h/help'
        case 'compare'
            __csp-audit_parse_subcommand 2 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'node=' 'timeout=' 'version' 'h/help'
        case 'trust'
            __csp-audit_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'save'
                __csp-audit_parse_subcommand 0 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'node=' 'timeout=' 'ledger=' 'file=' 'version' 'h/help'
            case 'check'
                __csp-audit_parse_subcommand 0 'home=' 'socket=' 'format=' 'q/quiet' 'v/verbose' 'channel=' 'node=' 'timeout=' 'ledger=' 'file=' 'update' 'full' 'version' 'h/help'
            end
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
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_positional "csp-audit" -eq 1' -fa 'check' -d 'Verify files against a list of SHA-256 fingerprints (sha256sum -c).'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_positional "csp-audit" -eq 1' -fa 'anchor' -d 'Record documents\' SHA-256 fingerprints on the ledger (anchor contract).'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_positional "csp-audit" -eq 1' -fa 'verify' -d 'Check that documents are anchored on the ledger, through the node or offline with a proof.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_positional "csp-audit" -eq 1' -fa 'proof' -d 'Write a self-contained proof file for a transaction or an anchored document already on the ledger.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_positional "csp-audit" -eq 1' -fa 'ledger' -d 'Verify a whole channel: checksums, hash chain, Merkle roots, signatures, CRLs, re-execution.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_positional "csp-audit" -eq 1' -fa 'compare' -d 'Compare two copies of a channel: their common prefix and first divergence.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_positional "csp-audit" -eq 1' -fa 'trust' -d 'Remember a verified head and later prove the ledger still extends it (rollback detection).'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_positional "csp-audit" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit hash" home' -l 'home' -d 'The home folder and its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-audit_complete_directories)'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit hash" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit hash" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit hash" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_positional "csp-audit hash" -ge 1' -F
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit hash" version' -l 'version' -d 'Show the version.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit hash" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit check" home' -l 'home' -d 'The home folder and its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-audit_complete_directories)'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit check" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit check" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit check" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_positional "csp-audit check" -eq 1' -F
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit check" version' -l 'version' -d 'Show the version.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit anchor" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-audit_complete_directories)'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit anchor" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit anchor" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit anchor" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit anchor" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit anchor" channel' -l 'channel' -d 'The channel (default: $CSP_CHANNEL, else \'channel\' in <home>/config).' -rfka '(csp-node channels 2>/dev/null)'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit anchor" node' -l 'node' -d 'Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).' -rfka ''
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit anchor" timeout' -l 'timeout' -d 'How long to wait for the node before giving up: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit.' -rfka ''
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit anchor" ref' -l 'ref' -d 'What the documents belong to: a demand, contract or invoice (instance id), up to 256 bytes.' -rfka ''
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit anchor" type' -l 'type' -d 'The kind of documents (e.g. invoice, inspection-report), up to 64 bytes.' -rfka ''
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit anchor" batch' -l 'batch' -d 'Anchor every document in one transaction, as a Merkle root of salted leaves, with receipts.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit anchor" receipts' -l 'receipts' -d 'With --batch: the folder to write one receipt per document into.' -rfa '(__csp-audit_complete_directories)'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit anchor" bundle' -l 'bundle' -d 'With --batch: one file holding every receipt, a line per document (faster and far smaller than a file each).' -rF
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_positional "csp-audit anchor" -ge 1' -F
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit anchor" version' -l 'version' -d 'Show the version.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit anchor" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit verify" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-audit_complete_directories)'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit verify" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit verify" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit verify" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit verify" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit verify" channel' -l 'channel' -d 'The channel (default: $CSP_CHANNEL, else \'channel\' in <home>/config).' -rfka '(csp-node channels 2>/dev/null)'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit verify" node' -l 'node' -d 'Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).' -rfka ''
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit verify" timeout' -l 'timeout' -d 'How long to wait for the node before giving up: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit.' -rfka ''
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit verify"' -l 'proof' -d 'A proof file, batch receipt or receipt bundle: verify offline (repeatable: each document is checked against the proof that is about it).' -rF
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit verify"' -l 'ca' -d 'A pinned CA certificate (PEM; repeatable, or a file of several): the only trust anchor of --proof.' -rF
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit verify"' -l 'crl' -d 'A CRL (PEM or DER; repeatable) for --proof, used only if the CA it names signed it.' -rF
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit verify" c' -s 'c' -d 'A sha256sum-style list of files and fingerprints to check.' -rF
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit verify" explain' -l 'explain' -d 'Print every hash step of an offline proof.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_positional "csp-audit verify" -ge 1' -F
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit verify" version' -l 'version' -d 'Show the version.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit verify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit proof" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-audit_complete_directories)'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit proof" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit proof" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit proof" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit proof" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit proof" channel' -l 'channel' -d 'The channel (default: $CSP_CHANNEL, else \'channel\' in <home>/config).' -rfka '(csp-node channels 2>/dev/null)'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit proof" node' -l 'node' -d 'Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).' -rfka ''
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit proof" timeout' -l 'timeout' -d 'How long to wait for the node before giving up: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit.' -rfka ''
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit proof" out' -l 'out' -d 'Where to write the proof file.' -rF
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit proof" receipt' -l 'receipt' -d 'For a FILE anchored in a batch: its receipt, or a receipt bundle holding it.' -rF
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit proof"' -l 'ca' -d 'With --receipt: a pinned CA certificate (PEM; repeatable) to check the receipt against offline, without a node.' -rF
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit proof"' -l 'crl' -d 'With --receipt and --ca: a CRL (PEM or DER; repeatable), as \'verify --crl\'.' -rF
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_positional "csp-audit proof" -eq 1' -F
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit proof" version' -l 'version' -d 'Show the version.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit proof" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit ledger" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-audit_complete_directories)'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit ledger" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit ledger" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit ledger" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit ledger" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit ledger" channel' -l 'channel' -d 'The channel (default: $CSP_CHANNEL, else \'channel\' in <home>/config).' -rfka '(csp-node channels 2>/dev/null)'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit ledger" node' -l 'node' -d 'Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).' -rfka ''
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit ledger" timeout' -l 'timeout' -d 'How long to wait for the node before giving up: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit.' -rfka ''
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit ledger" ledger' -l 'ledger' -d 'A node\'s home or a channel\'s folder to read the block files of (default: through --socket).' -rfa '(__csp-audit_complete_directories)'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit ledger" version' -l 'version' -d 'Show the version.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit ledger" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit compare" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-audit_complete_directories)'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit compare" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit compare" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit compare" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit compare" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit compare" channel' -l 'channel' -d 'The channel (default: $CSP_CHANNEL, else \'channel\' in <home>/config).' -rfka '(csp-node channels 2>/dev/null)'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit compare" node' -l 'node' -d 'Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).' -rfka ''
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit compare" timeout' -l 'timeout' -d 'How long to wait for the node before giving up: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit.' -rfka ''
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_positional "csp-audit compare" -eq 1' -F
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_positional "csp-audit compare" -eq 2' -F
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit compare" version' -l 'version' -d 'Show the version.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit compare" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust" version' -l 'version' -d 'Show the version.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_positional "csp-audit trust" -eq 1' -fa 'save' -d 'Verify the whole channel and remember its head (height, block hash, commit hash).'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_positional "csp-audit trust" -eq 1' -fa 'check' -d 'Prove the ledger still extends the saved head: check only the blocks added since.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust save" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-audit_complete_directories)'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust save" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust save" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust save" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust save" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust save" channel' -l 'channel' -d 'The channel (default: $CSP_CHANNEL, else \'channel\' in <home>/config).' -rfka '(csp-node channels 2>/dev/null)'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust save" node' -l 'node' -d 'Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).' -rfka ''
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust save" timeout' -l 'timeout' -d 'How long to wait for the node before giving up: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit.' -rfka ''
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust save" ledger' -l 'ledger' -d 'A node\'s home or a channel\'s folder to read the block files of (default: through --socket).' -rfa '(__csp-audit_complete_directories)'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust save" file' -l 'file' -d 'The trusted head\'s file (default: <home>/trust/<channel>.json).' -rF
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust save" version' -l 'version' -d 'Show the version.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust save" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust check" home' -l 'home' -d 'The home folder: identity, keys, its \'config\' file (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-audit_complete_directories)'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust check" socket' -l 'socket' -d 'The node\'s Unix socket (default: $CSP_SOCKET, else \'socket\' in <home>/config, else <home>/node.sock).' -rF
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust check" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust check" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust check" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where home, config and socket came from; csp-node start logs every block and refusal.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust check" channel' -l 'channel' -d 'The channel (default: $CSP_CHANNEL, else \'channel\' in <home>/config).' -rfka '(csp-node channels 2>/dev/null)'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust check" node' -l 'node' -d 'Talk to the node listening on HOST:PORT, over TCP with mutual TLS (default: $CSP_NODE; without either, the Unix socket).' -rfka ''
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust check" timeout' -l 'timeout' -d 'How long to wait for the node before giving up: 500ms, 30s, 2m (a bare number is seconds); 0 waits without limit.' -rfka ''
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust check" ledger' -l 'ledger' -d 'A node\'s home or a channel\'s folder to read the block files of (default: through --socket).' -rfa '(__csp-audit_complete_directories)'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust check" file' -l 'file' -d 'The trusted head\'s file (default: <home>/trust/<channel>.json).' -rF
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust check" update' -l 'update' -d 'Save the newly checked head when the check passes.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust check" full' -l 'full' -d 'Re-verify the whole channel from block 0 (every check of \'csp-audit ledger\'), not only the blocks after the saved head.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust check" version' -l 'version' -d 'Show the version.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit trust check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-audit' -n '__csp-audit_should_offer_completions_for_flags_or_options "csp-audit help" version' -l 'version' -d 'Show the version.'
