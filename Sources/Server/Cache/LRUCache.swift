import Foundation

/// A thread-safe least-recently-used map with a fixed number of entries.
final class LRUCache<Value: Sendable>: @unchecked Sendable {
    private struct Node {
        var key: String
        var value: Value
        var prev: Int
        var next: Int
    }
    let capacity: Int
    private let lock = NSLock()
    private var index: [String: Int] = [:]
    private var nodes: [Node] = []
    private var head = -1   // most recent
    private var tail = -1   // least recent

    init(capacity: Int) { self.capacity = max(0, capacity) }

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return index.count
    }

    func get(_ key: String) -> Value? {
        lock.lock()
        defer { lock.unlock() }
        guard let i = index[key] else { return nil }
        moveToFront(i)
        return nodes[i].value
    }

    func set(_ key: String, _ value: Value) {
        guard capacity > 0 else { return }
        lock.lock()
        defer { lock.unlock() }
        if let i = index[key] {
            nodes[i].value = value
            moveToFront(i)
            return
        }
        let i: Int
        if nodes.count < capacity {
            i = nodes.count
            nodes.append(Node(key: key, value: value, prev: -1, next: -1))
        } else {
            i = tail                       // reuse the least recent slot
            unlink(i)
            index[nodes[i].key] = nil
            nodes[i] = Node(key: key, value: value, prev: -1, next: -1)
        }
        index[key] = i
        linkFront(i)
    }

    private func moveToFront(_ i: Int) {
        guard head != i else { return }
        unlink(i)
        linkFront(i)
    }

    private func unlink(_ i: Int) {
        let p = nodes[i].prev, n = nodes[i].next
        if p >= 0 { nodes[p].next = n } else { head = n }
        if n >= 0 { nodes[n].prev = p } else { tail = p }
        nodes[i].prev = -1
        nodes[i].next = -1
    }

    private func linkFront(_ i: Int) {
        nodes[i].next = head
        if head >= 0 { nodes[head].prev = i }
        head = i
        if tail < 0 { tail = i }
    }
}
