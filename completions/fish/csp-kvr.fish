function __csp-kvr_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __csp-kvr_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __csp-kvr_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __csp-kvr_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __csp-kvr_parse_tokens -S
    set -l unparsed_tokens (__csp-kvr_tokens -pc)
    switch $unparsed_tokens[1]
    case 'csp-kvr'
        __csp-kvr_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'export'
            __csp-kvr_parse_subcommand 0 'channel=' 'ledger=' 'socket=' 'node=' 'home=' 'db=' 'postgres=' 'format=' 'dialect=' 'dir=' 'from=' 'to=' 'batch-rows=' 'include-certificates' 'q/quiet' 'mapping=' 'mask=' 'mask-key=' 'version' 'h/help'
        case 'follow'
            __csp-kvr_parse_subcommand 0 'channel=' 'ledger=' 'socket=' 'node=' 'home=' 'db=' 'postgres=' 'format=' 'dialect=' 'dir=' 'from=' 'to=' 'batch-rows=' 'include-certificates' 'q/quiet' 'mapping=' 'mask=' 'mask-key=' 'interval=' 'version' 'h/help'
        case 'schema'
            __csp-kvr_parse_subcommand 0 'dialect=' 'mapping=' 'channel=' 'ledger=' 'version' 'h/help'
        case 'verify'
            __csp-kvr_parse_subcommand 0 'channel=' 'ledger=' 'socket=' 'node=' 'home=' 'db=' 'postgres=' 'format=' 'q/quiet' 'mapping=' 'mask=' 'mask-key=' 'version' 'h/help'
        case 'help'
            __csp-kvr_parse_subcommand -r 1 'version'
        end
    end
end

function __csp-kvr_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __csp-kvr_parse_subcommand -S -a positional_count
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

function __csp-kvr_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __csp-kvr_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__csp-kvr_tokens -p)
    if test -z "$(__csp-kvr_tokens -t)"
        set -l index (count (__csp-kvr_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'csp-kvr' -f
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr" version' -l 'version' -d 'Show the version.'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_positional "csp-kvr" -eq 1' -fa 'export' -d 'Export a channel\'s blocks as relational rows.'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_positional "csp-kvr" -eq 1' -fa 'follow' -d 'Keep a target up to date as blocks commit.'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_positional "csp-kvr" -eq 1' -fa 'schema' -d 'Print the DDL of the tables (and, with a ledger, of its business views).'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_positional "csp-kvr" -eq 1' -fa 'verify' -d 'Check an SQLite or PostgreSQL target against the ledger.'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_positional "csp-kvr" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr export" channel' -l 'channel' -d 'The channel to export.' -rfka ''
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr export" ledger' -l 'ledger' -d 'The node\'s home (holding channels/<name>/) or a channel\'s directory; read while the node runs.' -rfa '(__csp-kvr_complete_directories)'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr export" socket' -l 'socket' -d 'Read the blocks from a running node through its Unix socket instead (reads signed by the identity in --home).' -rF
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr export" node' -l 'node' -d 'Read the blocks from the node listening on HOST:PORT instead, over TCP with mutual TLS (trusting $CSP_NODE_CA, else <home>/ca-chain.pem).' -rfka ''
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr export" home' -l 'home' -d 'With --socket or --node: the identity that signs the reads (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-kvr_complete_directories)'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr export" db' -l 'db' -d 'The SQLite database to write (created if missing).' -rF
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr export" postgres' -l 'postgres' -d 'A PostgreSQL server to write to instead of --db: postgresql://USER[:PASSWORD]@HOST[:PORT]/DB, or postgresql://USER@/DB?host=/socket/dir; TLS with ?sslmode=require|verify-ca|verify-full and sslrootcert=FILE.' -rfka ''
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr export" format' -l 'format' -d 'text or json: a summary of the export into --db or --postgres; sql: SQL on stdout; csv: files in --dir.' -rfka 'text json sql csv'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr export" dialect' -l 'dialect' -d 'The SQL dialect of --format sql and of the DDL of --format csv: sqlite, postgres or mysql.' -rfka 'sqlite postgres mysql'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr export" dir' -l 'dir' -d 'The folder for --format csv (created; must be empty).' -rfa '(__csp-kvr_complete_directories)'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr export" from' -l 'from' -d 'First block to export when the target holds no checkpoint.' -rfka ''
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr export" to' -l 'to' -d 'Last block to export (default: the last complete block).' -rfka ''
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr export" batch-rows' -l 'batch-rows' -d 'Rows per batch (one transaction with its checkpoint).' -rfka ''
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr export" include-certificates' -l 'include-certificates' -d 'Include creator and orderer certificates and signatures (left out by default).'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr export" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr export" mapping' -l 'mapping' -d 'Tables of other namespaces or definitions (docs/KVR.md, "Mapping").' -rF
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr export" mask' -l 'mask' -d 'Masking rules applied to every row before it is written (docs/KVR.md).' -rF
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr export" mask-key' -l 'mask-key' -d 'The secret of the mask\'s keyed hashes (the file\'s bytes).' -rF
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr export" version' -l 'version' -d 'Show the version.'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr export" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr follow" channel' -l 'channel' -d 'The channel to export.' -rfka ''
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr follow" ledger' -l 'ledger' -d 'The node\'s home (holding channels/<name>/) or a channel\'s directory; read while the node runs.' -rfa '(__csp-kvr_complete_directories)'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr follow" socket' -l 'socket' -d 'Read the blocks from a running node through its Unix socket instead (reads signed by the identity in --home).' -rF
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr follow" node' -l 'node' -d 'Read the blocks from the node listening on HOST:PORT instead, over TCP with mutual TLS (trusting $CSP_NODE_CA, else <home>/ca-chain.pem).' -rfka ''
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr follow" home' -l 'home' -d 'With --socket or --node: the identity that signs the reads (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-kvr_complete_directories)'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr follow" db' -l 'db' -d 'The SQLite database to write (created if missing).' -rF
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr follow" postgres' -l 'postgres' -d 'A PostgreSQL server to write to instead of --db: postgresql://USER[:PASSWORD]@HOST[:PORT]/DB, or postgresql://USER@/DB?host=/socket/dir; TLS with ?sslmode=require|verify-ca|verify-full and sslrootcert=FILE.' -rfka ''
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr follow" format' -l 'format' -d 'text or json: a summary of the export into --db or --postgres; sql: SQL on stdout; csv: files in --dir.' -rfka 'text json sql csv'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr follow" dialect' -l 'dialect' -d 'The SQL dialect of --format sql and of the DDL of --format csv: sqlite, postgres or mysql.' -rfka 'sqlite postgres mysql'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr follow" dir' -l 'dir' -d 'The folder for --format csv (created; must be empty).' -rfa '(__csp-kvr_complete_directories)'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr follow" from' -l 'from' -d 'First block to export when the target holds no checkpoint.' -rfka ''
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr follow" to' -l 'to' -d 'Last block to export (default: the last complete block).' -rfka ''
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr follow" batch-rows' -l 'batch-rows' -d 'Rows per batch (one transaction with its checkpoint).' -rfka ''
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr follow" include-certificates' -l 'include-certificates' -d 'Include creator and orderer certificates and signatures (left out by default).'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr follow" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr follow" mapping' -l 'mapping' -d 'Tables of other namespaces or definitions (docs/KVR.md, "Mapping").' -rF
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr follow" mask' -l 'mask' -d 'Masking rules applied to every row before it is written (docs/KVR.md).' -rF
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr follow" mask-key' -l 'mask-key' -d 'The secret of the mask\'s keyed hashes (the file\'s bytes).' -rF
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr follow" interval' -l 'interval' -d 'How often to look for new blocks in the block files, in milliseconds (through a node\'s socket they are pushed).' -rfka ''
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr follow" version' -l 'version' -d 'Show the version.'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr follow" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr schema" dialect' -l 'dialect' -d 'The SQL dialect: sqlite, postgres or mysql.' -rfka 'sqlite postgres mysql'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr schema" mapping' -l 'mapping' -d 'Also the tables of this mapping file (docs/KVR.md, "Mapping").' -rF
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr schema" channel' -l 'channel' -d 'With --ledger: the channel whose definitions give the views.' -rfka ''
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr schema" ledger' -l 'ledger' -d 'A node\'s home or channel directory, for the business views.' -rfa '(__csp-kvr_complete_directories)'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr schema" version' -l 'version' -d 'Show the version.'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr schema" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr verify" channel' -l 'channel' -d 'The channel to export.' -rfka ''
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr verify" ledger' -l 'ledger' -d 'The node\'s home (holding channels/<name>/) or a channel\'s directory; read while the node runs.' -rfa '(__csp-kvr_complete_directories)'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr verify" socket' -l 'socket' -d 'Read the blocks from a running node through its Unix socket instead (reads signed by the identity in --home).' -rF
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr verify" node' -l 'node' -d 'Read the blocks from the node listening on HOST:PORT instead, over TCP with mutual TLS (trusting $CSP_NODE_CA, else <home>/ca-chain.pem).' -rfka ''
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr verify" home' -l 'home' -d 'With --socket or --node: the identity that signs the reads (default: $CSP_HOME, else ~/.csp).' -rfa '(__csp-kvr_complete_directories)'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr verify" db' -l 'db' -d 'The SQLite database to check.' -rF
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr verify" postgres' -l 'postgres' -d 'The PostgreSQL database to check instead of --db (a URL as export takes).' -rfka ''
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr verify" format' -l 'format' -d 'Output format: json (one object) or text.' -rfka 'json text'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr verify" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr verify" mapping' -l 'mapping' -d 'Tables of other namespaces or definitions (docs/KVR.md, "Mapping").' -rF
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr verify" mask' -l 'mask' -d 'Masking rules applied to every row before it is written (docs/KVR.md).' -rF
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr verify" mask-key' -l 'mask-key' -d 'The secret of the mask\'s keyed hashes (the file\'s bytes).' -rF
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr verify" version' -l 'version' -d 'Show the version.'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr verify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-kvr' -n '__csp-kvr_should_offer_completions_for_flags_or_options "csp-kvr help" version' -l 'version' -d 'Show the version.'
