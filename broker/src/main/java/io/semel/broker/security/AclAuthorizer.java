package io.semel.broker.security;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The built-in {@link Authorizer}: super-users may do everything; anyone else only what an
 * {@link AclEntry} grants, plus what a grant implies (see {@link Operation}): PRODUCE or CONSUME on
 * a topic implies DESCRIBE on it, ADMIN implies DESCRIBE on everything. Everything else is denied.
 * Thread-safe: it reads the current ACL list from {@code acls} on each call (an immutable snapshot
 * the broker swaps when the file changes).
 */
public final class AclAuthorizer implements Authorizer {
    private final Set<String> superUsers;
    private final Supplier<List<AclEntry>> acls;

    public AclAuthorizer(Set<String> superUsers, Supplier<List<AclEntry>> acls) {
        this.superUsers = Set.copyOf(superUsers);
        this.acls = Objects.requireNonNull(acls, "acls");
    }

    @Override
    public boolean authorize(Principal principal, Operation operation, Resource resource) {
        String user = principal.name();
        if (superUsers.contains(user)) {
            return true;
        }
        List<AclEntry> entries = acls.get();
        if (anyGrants(entries, user, operation, resource)) {
            return true;
        }
        if (operation != Operation.DESCRIBE) {
            return false;
        }
        if (anyGrants(entries, user, Operation.ADMIN, Resource.CLUSTER)) {
            return true;
        }
        return resource.type() == ResourceType.TOPIC && (anyGrants(entries, user, Operation.PRODUCE, resource)
                || anyGrants(entries, user, Operation.CONSUME, resource));
    }

    private static boolean anyGrants(List<AclEntry> entries, String user, Operation op, Resource resource) {
        for (AclEntry e : entries) {
            if (e.grants(user, op, resource)) {
                return true;
            }
        }
        return false;
    }
}
