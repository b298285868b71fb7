package io.semel.console;

/**
 * Decides who may use the console. The HTTP layer asks for HTTP Basic credentials when {@link
 * #required()} and answers 401 unless {@link #check} accepts them. The minimal implementation reads
 * a password file ({@code --console-password-file}); the broker's own user store (SCRAM users)
 * plugs in here when broker security is on. Implementations must be thread-safe and must compare
 * secrets in constant time.
 */
public interface ConsoleAuthenticator {

    /** Whether requests must carry credentials. */
    boolean required();

    /** Whether {@code user} with {@code password} (UTF-8 bytes) may use the console. */
    boolean check(String user, byte[] password);

    /** No authentication: for a console bound to loopback on a machine whose users are all trusted. */
    static ConsoleAuthenticator none() {
        return new ConsoleAuthenticator() {
            @Override
            public boolean required() {
                return false;
            }

            @Override
            public boolean check(String user, byte[] password) {
                return true;
            }
        };
    }
}
