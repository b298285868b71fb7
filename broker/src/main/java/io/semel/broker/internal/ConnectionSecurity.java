package io.semel.broker.internal;

import io.semel.broker.security.Operation;
import io.semel.broker.security.Principal;
import io.semel.broker.security.Resource;
import io.semel.protocol.ApiRequest;
import io.semel.protocol.ApiResponse;
import io.semel.protocol.Authenticate;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Hello;
import io.semel.protocol.Messages;
import io.semel.protocol.scram.ScramException;
import io.semel.protocol.scram.ScramServer;
import java.util.List;
import java.util.Locale;

/**
 * One connection's security: its SCRAM exchange, the principal it proved, and the per-request
 * authorization check. Event-loop confined (owned by one {@link ConnectionHandler}); not
 * thread-safe.
 *
 * <pre>
 * state            event                                   next
 * ---------------  --------------------------------------  ---------------
 * (no auth)        —                                       AUTHENTICATED as ANONYMOUS
 * AWAITING_FIRST   AUTHENTICATE client-first ok            AWAITING_FINAL
 * AWAITING_FINAL   AUTHENTICATE client-final, proof ok     AUTHENTICATED
 * AWAITING_*       bad message, wrong proof, other request FAILED (the connection closes)
 * AUTHENTICATED    AUTHENTICATE                            FAILED (one exchange per connection)
 * </pre>
 */
final class ConnectionSecurity {
    enum State { AWAITING_FIRST, AWAITING_FINAL, AUTHENTICATED, FAILED }

    private final BrokerSecurity security;
    private final ScramServer scram;
    private State state;
    private Principal principal;

    ConnectionSecurity(BrokerSecurity security) {
        this.security = security;
        if (security.authenticationRequired()) {
            scram = security.newScramServer();
            state = State.AWAITING_FIRST;
        } else {
            scram = null;
            state = State.AUTHENTICATED;
            principal = Principal.ANONYMOUS;
        }
    }

    /** The mechanism to announce in HELLO, or null. */
    String mechanism() {
        return security.authenticationRequired() ? Hello.SCRAM_SHA_256 : null;
    }

    boolean authenticated() {
        return state == State.AUTHENTICATED;
    }

    boolean failed() {
        return state == State.FAILED;
    }

    Principal principal() {
        return principal;
    }

    /** One AUTHENTICATE step; after it {@link #failed()} says whether to close. */
    Authenticate.Response authenticate(Authenticate.Request r) {
        if (scram == null || state == State.AUTHENTICATED || state == State.FAILED) {
            state = State.FAILED;
            return Authenticate.Response.error(ErrorCode.INVALID_REQUEST, scram == null
                    ? "this broker does not authenticate (security.authentication=none); do not send AUTHENTICATE"
                    : "AUTHENTICATE after the exchange ended; one exchange per connection");
        }
        if (!Hello.SCRAM_SHA_256.equals(r.mechanism())) {
            state = State.FAILED;
            return Authenticate.Response.error(ErrorCode.AUTHENTICATION_FAILED, "mechanism '" + r.mechanism()
                    + "' is not supported; this broker speaks " + Hello.SCRAM_SHA_256);
        }
        try {
            if (state == State.AWAITING_FIRST) {
                byte[] serverFirst = scram.firstResponse(r.payload());
                state = State.AWAITING_FINAL;
                return new Authenticate.Response(ErrorCode.NONE, null, serverFirst, false);
            }
            byte[] serverFinal = scram.finalResponse(r.payload());
            principal = new Principal(scram.user());
            state = State.AUTHENTICATED;
            return new Authenticate.Response(ErrorCode.NONE, null, serverFinal, true);
        } catch (ScramException | IllegalArgumentException e) {
            state = State.FAILED;
            return Authenticate.Response.error(ErrorCode.AUTHENTICATION_FAILED, e.getMessage());
        }
    }

    /** The user named in the exchange so far, for logs: control characters escaped (no forged log lines). */
    String claimedUser() {
        String u = scram == null ? null : scram.user();
        if (u == null) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        u.codePoints().limit(Principal.NAME_CHARS_MAX).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    /** An AUTHORIZATION_FAILED answer when the principal may not do {@code request}; null when it may. */
    ApiResponse deny(ApiRequest request) {
        if (!security.config().authorizationEnabled()) {
            return null;
        }
        List<RequestActions.Action> actions = RequestActions.of(request);
        if (actions == null) {
            // Unmapped: deny-by-default for everyone but cluster administrators (and super-users).
            if (security.authorizer().authorize(principal, Operation.ADMIN, Resource.CLUSTER)) {
                return null;
            }
            return Messages.errorResponse(request.apiKey(), ErrorCode.AUTHORIZATION_FAILED, request.apiKey()
                    + " has no ACL mapping on this broker, so only users with admin on the cluster may use it");
        }
        for (RequestActions.Action a : actions) {
            if (!security.authorizer().authorize(principal, a.operation(), a.resource())) {
                return Messages.errorResponse(request.apiKey(), ErrorCode.AUTHORIZATION_FAILED, "user '"
                        + principal.name() + "' may not " + a.operation().name().toLowerCase(Locale.ROOT) + " "
                        + a.resource() + "; an administrator can grant it with 'semel acl add " + grantHint(a) + "'");
            }
        }
        return null;
    }

    private String grantHint(RequestActions.Action a) {
        String op = a.operation().name().toLowerCase(Locale.ROOT);
        String where = switch (a.resource().type()) {
            case TOPIC -> "--topic " + a.resource().name();
            case GROUP -> "--group " + a.resource().name();
            case CLUSTER -> "--cluster";
        };
        return "--user " + principal.name() + " --op " + op + " " + where;
    }
}
