/// Upper bounds the decoders enforce, so a hostile or corrupt input is refused before
/// it costs memory. Documented in docs/FORMAT.md ("Limits").
public enum FormatLimits {
    /// Channel, contract, function and argument names.
    public static let name = 256
    /// A DER certificate.
    public static let certificate = 16 * 1024
    /// The transaction nonce.
    public static let nonce = 64
    /// One argument value.
    public static let argumentValue = 1 << 20
    /// Arguments per transaction.
    public static let arguments = 1024
    /// A DER ECDSA P-256 signature is at most 72 bytes.
    public static let signature = 72
    /// Transactions per block.
    public static let transactions = 1 << 20
    /// A validation reason.
    public static let reason = 1024
    /// An encoded transaction body.
    public static let transactionBody = 2 << 20
    /// Endorsements (co-signatures) on one transaction.
    public static let endorsements = 16
    /// An encoded signed transaction: body, signature and the most endorsements.
    public static let signedTransaction = 8 + transactionBody + signature + 4 + endorsements * (8 + certificate + signature)
}
