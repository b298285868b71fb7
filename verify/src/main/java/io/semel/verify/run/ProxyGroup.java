package io.semel.verify.run;

import io.semel.verify.proxy.FaultParams;
import io.semel.verify.proxy.FaultPolicy;
import io.semel.verify.proxy.FaultProxy;
import java.io.Closeable;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One nemesis target made of one or more {@link FaultProxy}s that always carry the same policy: the Semel engine
 * has one proxy per client role, the Kafka engine one per client role and broker (a Kafka client connects to every
 * broker it learns about, each through its own proxy). Thread-safe as {@link FaultProxy} is.
 */
final class ProxyGroup implements Closeable {
    private final String name;
    private final List<FaultProxy> proxies;

    ProxyGroup(String name, List<FaultProxy> proxies) {
        if (proxies.isEmpty()) {
            throw new IllegalArgumentException("proxy group " + name + " needs at least one proxy");
        }
        this.name = name;
        this.proxies = List.copyOf(proxies);
    }

    static ProxyGroup of(FaultProxy proxy) {
        return new ProxyGroup(proxy.name(), List.of(proxy));
    }

    String name() {
        return name;
    }

    /** Every proxy's address, comma-separated: a client's bootstrap list. */
    String bootstrap() {
        return proxies.stream().map(p -> "127.0.0.1:" + p.port()).collect(Collectors.joining(","));
    }

    void setPolicy(FaultPolicy policy, FaultParams params) {
        proxies.forEach(p -> p.setPolicy(policy, params));
    }

    void heal() {
        proxies.forEach(FaultProxy::heal);
    }

    @Override
    public void close() {
        proxies.forEach(FaultProxy::close);
    }
}
