package io.semel.client.internal;

import io.semel.client.AuthenticationException;
import io.semel.client.ClientSecurity;
import io.semel.protocol.ApiResponse;
import io.semel.protocol.Authenticate;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Hello;
import io.semel.protocol.scram.ScramClient;
import io.semel.protocol.scram.ScramException;
import java.security.SecureRandom;
import java.util.function.Function;

/**
 * The client's side of authentication after HELLO: nothing when the broker announces no mechanism,
 * else the two AUTHENTICATE steps of SCRAM-SHA-256 ({@link ScramClient}). Stateless; one call per
 * connection.
 */
final class ScramLogin {
    private static final SecureRandom RANDOM = new SecureRandom();

    private ScramLogin() {
    }

    /**
     * @param call sends one request and waits for its answer (throws on a broken connection)
     * @throws AuthenticationException when the broker requires credentials the client lacks, refuses
     *     them, or cannot prove it holds them
     */
    static void run(Hello.Response hello, ClientSecurity security, String address,
            Function<Authenticate.Request, ApiResponse> call) {
        String mechanism = hello.authMechanism();
        if (mechanism == null) {
            return; // the broker does not authenticate; credentials, if any, are not needed
        }
        if (!Hello.SCRAM_SHA_256.equals(mechanism)) {
            throw new AuthenticationException("broker " + address + " asks for authentication mechanism '" + mechanism
                    + "', which this client does not speak (it speaks " + Hello.SCRAM_SHA_256 + ")", null);
        }
        if (!security.hasCredentials()) {
            throw new AuthenticationException("broker " + address + " requires authentication (" + mechanism
                    + "); give a user and password (--user with --password-file or " + ClientSecurity.PASSWORD_ENV
                    + ", or user/password.file in --client-config)", null);
        }
        ScramClient scram = new ScramClient(security.user(), security.password(), RANDOM);
        try {
            Authenticate.Response first = step(call, scram.firstMessage(), security, address);
            Authenticate.Response last = step(call, scram.finalMessage(first.payload()), security, address);
            scram.verify(last.payload());
        } catch (ScramException e) {
            throw new AuthenticationException("authentication of user '" + security.user() + "' with broker "
                    + address + " failed: " + e.getMessage(), e);
        }
    }

    private static Authenticate.Response step(Function<Authenticate.Request, ApiResponse> call, byte[] payload,
            ClientSecurity security, String address) {
        Authenticate.Response r = (Authenticate.Response) call.apply(new Authenticate.Request(Hello.SCRAM_SHA_256,
                payload));
        if (r.error() != ErrorCode.NONE) {
            throw new AuthenticationException("broker " + address + " refused user '" + security.user() + "': "
                    + r.errorMessage() + "; check the user name and password", null);
        }
        if (r.payload() == null) {
            throw new AuthenticationException("broker " + address + " answered AUTHENTICATE without a SCRAM message",
                    null);
        }
        return r;
    }
}
