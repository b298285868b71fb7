package io.semel.client;

import io.semel.protocol.tls.TlsMaterial;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * How a client speaks TLS to the broker: the CA that signs the broker's certificate (PEM or
 * PKCS#12), optionally the client's own key and certificate for mutual TLS, and whether the
 * broker's certificate must name the host the client connects to (on by default). Immutable and
 * thread-safe; the files are read when a client is built.
 */
public final class ClientTls {
    private final Path caFile;
    private final Path keyFile;
    private final Path certFile;
    private final char[] storePassword;
    private final boolean verifyHostname;

    private ClientTls(Path caFile, Path keyFile, Path certFile, char[] storePassword, boolean verifyHostname) {
        this.caFile = caFile;
        this.keyFile = keyFile;
        this.certFile = certFile;
        this.storePassword = storePassword == null ? new char[0] : storePassword.clone();
        this.verifyHostname = verifyHostname;
    }

    /** TLS that trusts the CA certificates in {@code caFile} (PEM, or PKCS#12/JKS without a password). */
    public static ClientTls trusting(Path caFile) {
        return new ClientTls(Objects.requireNonNull(caFile, "caFile"), null, null, null, true);
    }

    /**
     * Adds the client's own key for mutual TLS: a PKCS#12/JKS store ({@code certFile} null), or a
     * PEM PKCS#8 key with its PEM certificate chain.
     *
     * @param storePassword the PKCS#12/JKS password (also used for a password-protected CA store)
     */
    public ClientTls withClientKey(Path keyFile, Path certFile, char[] storePassword) {
        return new ClientTls(caFile, Objects.requireNonNull(keyFile, "keyFile"), certFile, storePassword,
                verifyHostname);
    }

    /** Whether the broker's certificate must name the host (subject alternative name); default true. */
    public ClientTls verifyHostname(boolean v) {
        return new ClientTls(caFile, keyFile, certFile, storePassword, v);
    }

    public Path caFile() {
        return caFile;
    }

    public Path keyFile() {
        return keyFile;
    }

    public boolean verifyHostname() {
        return verifyHostname;
    }

    /** The JDK SSLContext these files describe. */
    public SSLContext sslContext() {
        try {
            KeyStore trust = TlsMaterial.trustStore(caFile, storePassword);
            KeyStore keys = keyFile == null ? null : TlsMaterial.keyStore(keyFile, certFile, storePassword);
            char[] keyPassword = keyFile != null && !TlsMaterial.isPem(keyFile) ? storePassword : new char[0];
            return TlsMaterial.context(keys, keyPassword, trust);
        } catch (IOException e) {
            throw new TlsException(io.semel.protocol.ErrorCode.NONE, "cannot load the client's TLS files: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "ClientTls[ca=" + caFile + (keyFile == null ? "" : ", key=" + keyFile) + ", verifyHostname="
                + verifyHostname + "]";
    }
}
