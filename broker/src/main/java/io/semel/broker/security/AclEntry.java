package io.semel.broker.security;

import java.util.Locale;
import java.util.Objects;

/**
 * One grant: {@code principal} may do {@code operation} on resources of {@code resourceType} whose
 * name matches {@code pattern}. A principal of {@code *} is every authenticated user. A pattern is
 * an exact name, {@code prefix*} (every name starting with prefix) or {@code *}. Only grants exist:
 * whatever no entry allows is denied.
 */
public record AclEntry(String principal, Operation operation, ResourceType resourceType, String pattern) {
    public static final String ANY = "*";

    public AclEntry {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(resourceType, "resourceType");
        if (!ANY.equals(principal)) {
            Principal.checkName(principal);
        }
        if (pattern == null || pattern.isEmpty() || pattern.indexOf('*') >= 0 && pattern.indexOf('*') != pattern.length() - 1
                || pattern.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("resource pattern '" + pattern + "' must be a name, 'prefix*' or '*', "
                    + "without spaces");
        }
        boolean fits = switch (operation) {
            case PRODUCE, DESCRIBE -> resourceType != ResourceType.GROUP;
            case CONSUME -> resourceType != ResourceType.CLUSTER;
            case ADMIN -> resourceType == ResourceType.CLUSTER;
        };
        if (!fits) {
            throw new IllegalArgumentException("operation " + name(operation) + " does not apply to a "
                    + name(resourceType) + " (see docs/security.md for which operations apply where)");
        }
        if (resourceType == ResourceType.CLUSTER && !pattern.equals(Resource.CLUSTER_NAME)) {
            throw new IllegalArgumentException("a cluster ACL's resource is '" + Resource.CLUSTER_NAME + "', not '"
                    + pattern + "'");
        }
    }

    /** Whether this entry grants exactly {@code operation} on {@code resource} to {@code user}. */
    public boolean grants(String user, Operation op, Resource resource) {
        return operation == op && resourceType == resource.type() && (ANY.equals(principal) || principal.equals(user))
                && matches(resource.name());
    }

    private boolean matches(String name) {
        if (pattern.equals(ANY)) {
            return true;
        }
        if (pattern.endsWith(ANY)) {
            return name.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        return pattern.equals(name);
    }

    static String name(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** The line form used in the ACL file and by {@code semel acl list}. */
    @Override
    public String toString() {
        return "allow " + principal + " " + name(operation) + " " + name(resourceType) + " " + pattern;
    }
}
