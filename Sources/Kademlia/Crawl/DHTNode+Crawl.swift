/// A crawl's outcome: every node found and the figures.
public struct CrawlResult: Sendable, Equatable {
    /// The nodes, this one first, then in the order found.
    public var nodes: [CrawlNode]
    /// The figures.
    public var progress: CrawlProgress
    /// How load spreads over the nodes that answered.
    public var load: LoadSpread {
        LoadSpread(nodes.compactMap(\.load))
    }
}

extension DHTNode {
    /// Maps the network this node is in: asks every node it can find for its count of
    /// targets held (BEP 51), as `Crawl` plans, within `limits`. `onProgress` hears the
    /// result so far at most every `progressEvery`, and the result at the end. Cancelling
    /// the task ends the crawl with what it found.
    public func crawl(limits: CrawlLimits = CrawlLimits(), progressEvery: Duration = .milliseconds(500),
                      onProgress: (@Sendable (CrawlResult) -> Void)? = nil) async -> CrawlResult {
        let now = clock.now()
        let (localLoad, seeds) = read { state in (Int64(state.heldTargets(now: now).count), state.routingTable.contacts) }
        var crawl = Crawl(local: contact, localLoad: localLoad, seeds: seeds, limits: limits, now: now,
                          seed: UInt64(truncatingIfNeeded: now.nanoseconds))
        let (events, sink) = AsyncStream.makeStream(of: CrawlEvent.self)
        var timer: Task<Void, Never>?
        var iterator = events.makeAsyncIterator()
        var reported = now
        crawling: while !isStopped {
            switch crawl.next(now: clock.now()) {
            case .ask(let contact, let target):
                _ = dispatch(.sampleInfohashes(target: target), to: contact.address, expecting: contact.id, for: .user) { result in
                    sink.yield(.reply(contact.id, result))
                }
                continue crawling
            case .finished:
                break crawling
            case .wait(let until):
                if let until, timer == nil {
                    timer = spawn { [self] in
                        await sleep(until: until)
                        sink.yield(.tick)
                    }
                }
            }
            guard let event = await iterator.next() else { break }
            switch event {
            case .tick:
                timer = nil
            case .reply(let id, .success(let response)):
                if let sample = response.sample {
                    crawl.answered(by: id, load: sample.num, nodes: usable(response.nodes ?? []), now: clock.now())
                } else {
                    crawl.failed(id, now: clock.now())
                }
            case .reply(let id, .failure):
                crawl.failed(id, now: clock.now())
            }
            let now = clock.now()
            if let onProgress, now - reported >= progressEvery {
                reported = now
                onProgress(CrawlResult(nodes: crawl.nodes, progress: crawl.progress(now: now)))
            }
        }
        timer?.cancel()
        sink.finish()
        crawl.stop(now: clock.now())
        let result = CrawlResult(nodes: crawl.nodes, progress: crawl.progress(now: clock.now()))
        onProgress?(result)
        return result
    }
}

/// What wakes a crawl: a reply, or the pacing timer.
private enum CrawlEvent: Sendable {
    case reply(NodeID, RPCResult)
    case tick
}
