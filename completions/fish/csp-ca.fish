function __csp-ca_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __csp-ca_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __csp-ca_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __csp-ca_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __csp-ca_parse_tokens -S
    set -l unparsed_tokens (__csp-ca_tokens -pc)
    switch $unparsed_tokens[1]
    case 'csp-ca'
        __csp-ca_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'init'
            __csp-ca_parse_subcommand 0 'home=' 'format=' 'q/quiet' 'v/verbose' 'org=' 'name=' 'validity=' 'leaf-validity=' 'path-length=' 'parent=' 'version' 'h/help'
        case 'register'
            __csp-ca_parse_subcommand 1 'home=' 'format=' 'q/quiet' 'v/verbose' 'role=' 'org=' 'attr=+' 'max-enrollments=' 'secret=' 'new-secret' 'version' 'h/help'
        case 'enroll'
            __csp-ca_parse_subcommand 1 'home=' 'format=' 'q/quiet' 'v/verbose' 'ca=' 'ca-socket=' 'timeout=' 'secret=' 'secret-file=' 'out=' 'force' 'version' 'h/help'
        case 'sign'
            __csp-ca_parse_subcommand 0 'home=' 'format=' 'q/quiet' 'v/verbose' 'csr=' 'id=' 'out=' 'version' 'h/help'
        case 'reenroll'
            __csp-ca_parse_subcommand 0 'home=' 'format=' 'q/quiet' 'v/verbose' 'ca=' 'ca-socket=' 'timeout=' 'new-key' 'version' 'h/help'
        case 'revoke'
            __csp-ca_parse_subcommand 1 'home=' 'format=' 'q/quiet' 'v/verbose' 'serial=' 'reason=' 'version' 'h/help'
        case 'crl'
            __csp-ca_parse_subcommand 0 'home=' 'format=' 'q/quiet' 'v/verbose' 'next-update=' 'out=' 'version' 'h/help'
        case 'list'
            __csp-ca_parse_subcommand 0 'home=' 'format=' 'q/quiet' 'v/verbose' 'revoked' 'expiring=' 'version' 'h/help'
        case 'show'
            __csp-ca_parse_subcommand 1 'home=' 'format=' 'q/quiet' 'v/verbose' 'version' 'h/help'
        case 'log'
            __csp-ca_parse_subcommand 0 'home=' 'format=' 'q/quiet' 'v/verbose' 'version' 'h/help'
        case 'verify'
            __csp-ca_parse_subcommand 1 'home=' 'format=' 'q/quiet' 'v/verbose' 'ca-file=' 'crl=+' 'no-crl-check' 'role=' 'version' 'h/help'
        case 'serve'
            __csp-ca_parse_subcommand 0 'home=' 'format=' 'q/quiet' 'v/verbose' 'socket=' 'version' 'h/help'
        case 'keygen'
            __csp-ca_parse_subcommand 0 'home=' 'format=' 'q/quiet' 'v/verbose' 'out=' 'force' 'version' 'h/help'
        case 'help'
            __csp-ca_parse_subcommand -r 1 'version'
        end
    end
end

function __csp-ca_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __csp-ca_parse_subcommand -S -a positional_count
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

function __csp-ca_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __csp-ca_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__csp-ca_tokens -p)
    if test -z "$(__csp-ca_tokens -t)"
        set -l index (count (__csp-ca_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'csp-ca' -f
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca" version' -l 'version' -d 'Show the version.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_positional "csp-ca" -eq 1' -fa 'init' -d 'Create a CA in the home folder: key, self-signed root (or intermediate), registry.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_positional "csp-ca" -eq 1' -fa 'register' -d 'Register an identity and print its one-time enrollment secret.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_positional "csp-ca" -eq 1' -fa 'enroll' -d 'Enroll a registered identity: make a key and CSR here, get the certificate signed.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_positional "csp-ca" -eq 1' -fa 'sign' -d 'Sign a certificate request made elsewhere for a registered identity.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_positional "csp-ca" -eq 1' -fa 'reenroll' -d 'Renew this participant\'s certificate before it expires, with the same key or a new one.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_positional "csp-ca" -eq 1' -fa 'revoke' -d 'Revoke an identity (all its certificates; it cannot enroll again) or one certificate by serial.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_positional "csp-ca" -eq 1' -fa 'crl' -d 'Issue a new signed CRL (PEM) with an increasing CRL number.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_positional "csp-ca" -eq 1' -fa 'list' -d 'List identities, revoked certificates (--revoked) or certificates expiring soon (--expiring).'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_positional "csp-ca" -eq 1' -fa 'show' -d 'Show an identity and its certificates (exit 1 when unknown).'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_positional "csp-ca" -eq 1' -fa 'log' -d 'Print the CA\'s audit log: who did what, when (append-only).'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_positional "csp-ca" -eq 1' -fa 'verify' -d 'Verify a certificate: chain, validity period, revocation, role and attributes.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_positional "csp-ca" -eq 1' -fa 'serve' -d 'Serve enrollment and renewal to clients on this host over a Unix socket.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_positional "csp-ca" -eq 1' -fa 'keygen' -d 'Generate an ECDSA P-256 private key (PKCS#8 PEM, mode 0600).'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_positional "csp-ca" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca init" home' -l 'home' -d 'The CA\'s folder: ca.json, its key, certificate, chain, CRL and registry (default: $CSP_HOME, else ~/.csp); enroll and reenroll: the participant\'s folder.' -rfa '(__csp-ca_complete_directories)'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca init" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca init" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca init" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from; serve logs connections.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca init" org' -l 'org' -d 'The organisation this CA admits participants of.' -rfka ''
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca init" name' -l 'name' -d 'The CA\'s common name (default: \'<org> CA\').' -rfka ''
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca init" validity' -l 'validity' -d 'Validity of the CA certificate (e.g. 10y).' -rfka ''
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca init" leaf-validity' -l 'leaf-validity' -d 'Default validity of participants\' certificates (e.g. 1y, 90d).' -rfka ''
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca init" path-length' -l 'path-length' -d 'How many intermediate CAs may stand below this one (root default 1).' -rfka ''
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca init" parent' -l 'parent' -d 'Home of the parent CA, to create an intermediate.' -rfa '(__csp-ca_complete_directories)'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca init" version' -l 'version' -d 'Show the version.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca init" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca register" home' -l 'home' -d 'The CA\'s folder: ca.json, its key, certificate, chain, CRL and registry (default: $CSP_HOME, else ~/.csp); enroll and reenroll: the participant\'s folder.' -rfa '(__csp-ca_complete_directories)'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca register" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca register" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca register" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from; serve logs connections.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca register" role' -l 'role' -d 'The participant\'s role: customer, enterprise, department, regulator, node, admin.' -rfka 'customer enterprise department regulator node admin'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca register" org' -l 'org' -d 'The participant\'s organisation (default: the CA\'s).' -rfka ''
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca register"' -l 'attr' -d 'An attribute carried in the certificate, as name=value (repeatable).' -rfka ''
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca register" max-enrollments' -l 'max-enrollments' -d 'How many times the secret may be used (at least 1).' -rfka ''
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca register" secret' -l 'secret' -d 'Use this secret instead of a generated one (at least 8 characters).' -rfka ''
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca register" new-secret' -l 'new-secret' -d 'Issue a new secret for an identity already registered.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca register" version' -l 'version' -d 'Show the version.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca register" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca enroll" home' -l 'home' -d 'The CA\'s folder: ca.json, its key, certificate, chain, CRL and registry (default: $CSP_HOME, else ~/.csp); enroll and reenroll: the participant\'s folder.' -rfa '(__csp-ca_complete_directories)'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca enroll" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca enroll" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca enroll" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from; serve logs connections.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca enroll" ca' -l 'ca' -d 'A CA home folder readable by this user (the CA signs in this process).' -rfa '(__csp-ca_complete_directories)'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca enroll" ca-socket' -l 'ca-socket' -d 'The socket of \'csp-ca serve\'.' -rF
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca enroll" timeout' -l 'timeout' -d 'Seconds to wait for \'csp-ca serve\' to accept and to answer (with --ca-socket).' -rfka ''
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca enroll" secret' -l 'secret' -d 'The one-time enrollment secret (visible to other users in ps: prefer --secret-file).' -rfka ''
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca enroll" secret-file' -l 'secret-file' -d 'Read the secret from a file; - for standard input.' -rF
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca enroll" out' -l 'out' -d 'Folder for key.pem, cert.pem and ca-chain.pem (default: --home).' -rfa '(__csp-ca_complete_directories)'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca enroll" force' -l 'force' -d 'Replace an existing key.pem.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca enroll" version' -l 'version' -d 'Show the version.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca enroll" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca sign" home' -l 'home' -d 'The CA\'s folder: ca.json, its key, certificate, chain, CRL and registry (default: $CSP_HOME, else ~/.csp); enroll and reenroll: the participant\'s folder.' -rfa '(__csp-ca_complete_directories)'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca sign" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca sign" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca sign" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from; serve logs connections.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca sign" csr' -l 'csr' -d 'The PEM certificate request; - for standard input.' -rF
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca sign" id' -l 'id' -d 'The registered identity the certificate is for.' -rfka ''
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca sign" out' -l 'out' -d 'Write the certificate here instead of standard output.' -rF
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca sign" version' -l 'version' -d 'Show the version.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca sign" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca reenroll" home' -l 'home' -d 'The CA\'s folder: ca.json, its key, certificate, chain, CRL and registry (default: $CSP_HOME, else ~/.csp); enroll and reenroll: the participant\'s folder.' -rfa '(__csp-ca_complete_directories)'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca reenroll" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca reenroll" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca reenroll" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from; serve logs connections.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca reenroll" ca' -l 'ca' -d 'A CA home folder readable by this user (the CA signs in this process).' -rfa '(__csp-ca_complete_directories)'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca reenroll" ca-socket' -l 'ca-socket' -d 'The socket of \'csp-ca serve\'.' -rF
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca reenroll" timeout' -l 'timeout' -d 'Seconds to wait for \'csp-ca serve\' to accept and to answer (with --ca-socket).' -rfka ''
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca reenroll" new-key' -l 'new-key' -d 'Generate a new key instead of keeping the current one.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca reenroll" version' -l 'version' -d 'Show the version.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca reenroll" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca revoke" home' -l 'home' -d 'The CA\'s folder: ca.json, its key, certificate, chain, CRL and registry (default: $CSP_HOME, else ~/.csp); enroll and reenroll: the participant\'s folder.' -rfa '(__csp-ca_complete_directories)'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca revoke" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca revoke" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca revoke" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from; serve logs connections.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca revoke" serial' -l 'serial' -d 'Revoke only the certificate with this serial (hex).' -rfka ''
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca revoke" reason' -l 'reason' -d 'Why (RFC 5280 reason).' -rfka 'unspecified keyCompromise CACompromise affiliationChanged superseded cessationOfOperation certificateHold privilegeWithdrawn AACompromise'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca revoke" version' -l 'version' -d 'Show the version.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca revoke" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca crl" home' -l 'home' -d 'The CA\'s folder: ca.json, its key, certificate, chain, CRL and registry (default: $CSP_HOME, else ~/.csp); enroll and reenroll: the participant\'s folder.' -rfa '(__csp-ca_complete_directories)'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca crl" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca crl" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca crl" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from; serve logs connections.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca crl" next-update' -l 'next-update' -d 'How long the CRL stays current (its nextUpdate).' -rfka ''
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca crl" out' -l 'out' -d 'Also write the CRL here.' -rF
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca crl" version' -l 'version' -d 'Show the version.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca crl" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca list" home' -l 'home' -d 'The CA\'s folder: ca.json, its key, certificate, chain, CRL and registry (default: $CSP_HOME, else ~/.csp); enroll and reenroll: the participant\'s folder.' -rfa '(__csp-ca_complete_directories)'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca list" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca list" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca list" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from; serve logs connections.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca list" revoked' -l 'revoked' -d 'List revoked certificates.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca list" expiring' -l 'expiring' -d 'List live certificates that expire within this span (e.g. 30d).' -rfka ''
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca list" version' -l 'version' -d 'Show the version.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca show" home' -l 'home' -d 'The CA\'s folder: ca.json, its key, certificate, chain, CRL and registry (default: $CSP_HOME, else ~/.csp); enroll and reenroll: the participant\'s folder.' -rfa '(__csp-ca_complete_directories)'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca show" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca show" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca show" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from; serve logs connections.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca show" version' -l 'version' -d 'Show the version.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca log" home' -l 'home' -d 'The CA\'s folder: ca.json, its key, certificate, chain, CRL and registry (default: $CSP_HOME, else ~/.csp); enroll and reenroll: the participant\'s folder.' -rfa '(__csp-ca_complete_directories)'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca log" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca log" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca log" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from; serve logs connections.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca log" version' -l 'version' -d 'Show the version.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca log" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca verify" home' -l 'home' -d 'The CA\'s folder: ca.json, its key, certificate, chain, CRL and registry (default: $CSP_HOME, else ~/.csp); enroll and reenroll: the participant\'s folder.' -rfa '(__csp-ca_complete_directories)'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca verify" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca verify" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca verify" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from; serve logs connections.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_positional "csp-ca verify" -eq 1' -F
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca verify" ca-file' -l 'ca-file' -d 'Trusted CA certificates (PEM bundle).' -rF
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca verify"' -l 'crl' -d 'A CRL to check revocation against (PEM); repeatable.' -rF
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca verify" no-crl-check' -l 'no-crl-check' -d 'Do not check revocation.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca verify" role' -l 'role' -d 'Require this role.' -rfka ''
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca verify" version' -l 'version' -d 'Show the version.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca verify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca serve" home' -l 'home' -d 'The CA\'s folder: ca.json, its key, certificate, chain, CRL and registry (default: $CSP_HOME, else ~/.csp); enroll and reenroll: the participant\'s folder.' -rfa '(__csp-ca_complete_directories)'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca serve" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca serve" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca serve" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from; serve logs connections.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca serve" socket' -l 'socket' -d 'The CA\'s socket to listen on (default: <home>/ca.sock); not the node\'s.' -rF
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca serve" version' -l 'version' -d 'Show the version.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca serve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca keygen" home' -l 'home' -d 'The CA\'s folder: ca.json, its key, certificate, chain, CRL and registry (default: $CSP_HOME, else ~/.csp); enroll and reenroll: the participant\'s folder.' -rfa '(__csp-ca_complete_directories)'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca keygen" format' -l 'format' -d 'Output format: json (one object per line) or text (default: $CSP_FORMAT, else \'format\' in <home>/config).' -rfka 'json text'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca keygen" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca keygen" v verbose' -l 'verbose' -s 'v' -d 'Say more on stderr: where the home and its config came from; serve logs connections.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca keygen" out' -l 'out' -d 'Where to write the private key.' -rF
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca keygen" force' -l 'force' -d 'Replace an existing key file.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca keygen" version' -l 'version' -d 'Show the version.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca keygen" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'csp-ca' -n '__csp-ca_should_offer_completions_for_flags_or_options "csp-ca help" version' -l 'version' -d 'Show the version.'
