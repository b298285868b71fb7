package io.semel.verify.proxy;

/**
 * Something a {@link FaultProxy} did that the harness records as a nemesis event. Immutable.
 *
 * @param proxy the proxy's name (the nemesis target)
 * @param kind activated (policy switched on), applied (it took effect on a connection), healed
 * @param connectionId the connection concerned, or {@link #ALL_CONNECTIONS}
 * @param detail the numbers, e.g. "forwarded 37-byte request, closed client"
 */
public record ProxyEvent(String proxy, Kind kind, FaultPolicy policy, long connectionId, String detail) {
    public static final long ALL_CONNECTIONS = -1;

    public enum Kind { ACTIVATED, APPLIED, HEALED }
}
