/// One page of a listing. `next` is an opaque continuation token (lower-case hex) to
/// pass as `after` for the following page, nil when nothing follows. Tokens name a
/// position in key order rather than a count, so a page boundary stays put while new
/// blocks are committed between two requests.
public struct Page<Item> {
    public var items: [Item]
    public var next: String?

    public init(items: [Item], next: String?) {
        self.items = items
        self.next = next
    }
}

extension Page: Sendable where Item: Sendable {}
