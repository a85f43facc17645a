extension DHTNode {
    /// Logs `message` about `event` when `level` is enabled, with `fields` naming its facts for
    /// JSON lines; both are built only then, so tracing every RPC costs one comparison at the
    /// default level.
    func log(_ level: LogLevel, _ event: LogEvent, _ message: @autoclosure () -> String,
             fields: @autoclosure () -> [LogField] = []) {
        guard level >= configuration.logLevel, let sink = configuration.log else { return }
        sink(LogRecord(level: level, event: event, node: String(id.hex.prefix(8)), message: message(), fields: fields()))
    }
}
