package io.semel.client.internal;

import io.semel.client.ClientTls;
import io.semel.client.TlsException;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.tls.TlsMaterial;
import java.io.IOException;
import java.net.Socket;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Puts TLS over a connected socket and completes the handshake, turning the JDK's handshake
 * errors into one {@link TlsException} that says what is wrong and what to change. Stateless.
 */
final class TlsSockets {
    private TlsSockets() {
    }

    /**
     * @throws TlsException when the handshake fails; the socket is closed
     * @throws IOException for a plain I/O failure (connection reset before any TLS byte)
     */
    static SSLSocket wrap(Socket raw, SSLContext context, ClientTls tls, ConnectionSettings s) throws IOException {
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(raw, s.host(), s.port(), true);
        SSLParameters params = ssl.getSSLParameters();
        params.setProtocols(TlsMaterial.PROTOCOLS);
        if (tls.verifyHostname()) {
            params.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
        }
        ssl.setSSLParameters(params);
        ssl.setSoTimeout(s.connectTimeoutMs());
        try {
            ssl.startHandshake();
        } catch (javax.net.ssl.SSLException | java.io.EOFException e) {
            closeQuietly(ssl);
            throw explain(e, tls, s.address());
        }
        return ssl;
    }

    /** One message per way a TLS handshake fails in practice. */
    static TlsException explain(Throwable e, ClientTls tls, String address) {
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        String what;
        if (m.contains("unrecognized ssl message") || m.contains("terminated the handshake")
                || m.contains("unexpected end of file") || e instanceof java.io.EOFException) {
            what = "the broker did not answer the TLS handshake: that port is plain TCP. Connect without TLS "
                    + "(drop --tls-ca / tls.caFile), or turn TLS on at the broker (tls.keyFile)";
        } else if (m.contains("pkix") || m.contains("certificate_unknown") || m.contains("unable to find valid")) {
            what = "the broker's certificate is not signed by a CA in " + tls.caFile()
                    + "; give the CA that signed the broker's certificate";
        } else if (m.contains("subject alternative") || m.contains("no name matching")) {
            what = "the broker's certificate does not name host '" + address.substring(0, address.lastIndexOf(':'))
                    + "'; connect with a name the certificate carries (its SAN), or set tls.verifyHostname=false";
        } else if (m.contains("bad_certificate") || m.contains("certificate_required") || m.contains("unknown_ca")) {
            what = "the broker refused the client's certificate (mutual TLS): " + clientCertificateHint(tls);
        } else {
            what = "TLS handshake failed: " + e.getMessage();
        }
        return new TlsException(ErrorCode.NONE, "TLS to broker " + address + " failed: " + what, e);
    }

    /**
     * Under TLS 1.3 a broker judges the client's certificate after the client's handshake ended; its
     * refusal may then surface as a broken pipe on our first write instead of an alert on a read.
     */
    static TlsException closedAfterHandshake(Throwable cause, ClientTls tls, String address) {
        return new TlsException(ErrorCode.NONE, "TLS to broker " + address + " failed: the broker closed the "
                + "connection right after the TLS handshake (" + cause.getMessage() + "), which means it refused the "
                + "client's certificate (mutual TLS) unless it was shutting down: " + clientCertificateHint(tls), cause);
    }

    private static String clientCertificateHint(ClientTls tls) {
        return tls.keyFile() == null ? "give a client key and certificate (--tls-key/--tls-cert, or tls.keyFile)"
                : "the certificate in " + tls.keyFile() + " must be signed by the broker's client CA";
    }

    /** TLS contexts by settings: key files are loaded once per client, not once per connection. */
    private static final java.util.Map<ClientTls, SSLContext> CONTEXTS =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    static SSLContext context(ClientTls tls) {
        return CONTEXTS.computeIfAbsent(tls, ClientTls::sslContext);
    }

    /**
     * Whether the bytes start with a TLS record header (content type 20..23, major version 3) where
     * a frame's length should be: a frame's first byte is 0 for any frame below 16 MiB.
     */
    static boolean looksLikeTls(java.nio.ByteBuffer acc) {
        if (acc.remaining() < 2) {
            return false;
        }
        int type = acc.get(acc.position()) & 0xff;
        return type >= 0x14 && type <= 0x17 && acc.get(acc.position() + 1) == 0x03;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already failing; the handshake error is what matters
        }
    }
}
