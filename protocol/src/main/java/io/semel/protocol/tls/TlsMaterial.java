package io.semel.protocol.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Loads keys and certificates for TLS, JDK only, from the two formats operators have: a PKCS#12
 * (or JKS) key store with its password, or PEM files (a certificate chain and an unencrypted
 * PKCS#8 private key, {@code -----BEGIN PRIVATE KEY-----}). Which one a file is, is read from its
 * content, not its name. Used by the broker (its key, and the CA for client certificates) and the
 * client (the CA, and its own key for mutual TLS). Stateless and thread-safe.
 */
public final class TlsMaterial {
    /** TLS versions offered by both sides; older ones have known weaknesses. */
    public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private static final Pattern PEM_KEY = Pattern.compile(
            "-----BEGIN ([A-Z ]*)PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END \\1PRIVATE KEY-----");
    private static final String ALIAS = "semel";

    private TlsMaterial() {
    }

    /** Whether the file is PEM text (else a binary PKCS#12/JKS store). */
    public static boolean isPem(Path file) throws IOException {
        byte[] head = new byte[Math.min(4096, (int) Files.size(file))];
        try (InputStream in = Files.newInputStream(file)) {
            int n = in.readNBytes(head, 0, head.length);
            return new String(head, 0, n, StandardCharsets.US_ASCII).contains("-----BEGIN ");
        }
    }

    /**
     * A key store with one private key and its chain.
     *
     * @param keyFile a PKCS#12/JKS store, or a PEM file holding the private key (and maybe the chain)
     * @param certFile PEM certificate chain when {@code keyFile} is PEM and lacks it; else null
     * @param password the store's password (PKCS#12/JKS); ignored for PEM
     */
    public static KeyStore keyStore(Path keyFile, Path certFile, char[] password) throws IOException {
        try {
            if (!isPem(keyFile)) {
                return KeyStore.getInstance(keyFile.toFile(), password);
            }
            String keyText = Files.readString(keyFile, StandardCharsets.US_ASCII);
            PrivateKey key = pemPrivateKey(keyText, keyFile);
            Collection<? extends Certificate> chain = pemCertificates(certFile != null ? certFile : keyFile);
            if (chain.isEmpty()) {
                throw new IOException("no certificate in " + (certFile != null ? certFile : keyFile)
                        + "; give the PEM certificate chain that belongs to the key " + keyFile);
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(ALIAS, key, new char[0], chain.toArray(new Certificate[0]));
            return ks;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load the key from " + keyFile + ": " + e.getMessage()
                    + " (a wrong store password reads as this too)", e);
        }
    }

    /** A trust store of CA certificates: PEM (one or more certificates) or PKCS#12/JKS. */
    public static KeyStore trustStore(Path file, char[] password) throws IOException {
        try {
            if (!isPem(file)) {
                return KeyStore.getInstance(file.toFile(), password);
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (Certificate c : pemCertificates(file)) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new IOException("no certificate in " + file + "; expected PEM '-----BEGIN CERTIFICATE-----'");
            }
            return ks;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load CA certificates from " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * An SSLContext on the JDK provider.
     *
     * @param keys our own key and chain, or null (a client without a certificate)
     * @param trust CAs we accept from the peer, or null (a broker that asks for no client certificate)
     */
    public static SSLContext context(KeyStore keys, char[] keyPassword, KeyStore trust) throws IOException {
        try {
            KeyManagerFactory kmf = null;
            if (keys != null) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, keyPassword == null ? new char[0] : keyPassword);
            }
            TrustManagerFactory tmf = null;
            if (trust != null) {
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage()
                    + " (for a PKCS#12 store the key password must equal the store password)", e);
        }
    }

    private static Collection<? extends Certificate> pemCertificates(Path file) throws IOException,
            GeneralSecurityException {
        // CertificateFactory reads PEM blocks itself but stops at anything else: keep only the blocks.
        StringBuilder certs = new StringBuilder();
        Matcher m = Pattern.compile("-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\\s]+-----END CERTIFICATE-----")
                .matcher(Files.readString(file, StandardCharsets.US_ASCII));
        while (m.find()) {
            certs.append(m.group()).append('\n');
        }
        return CertificateFactory.getInstance("X.509").generateCertificates(
                new ByteArrayInputStream(certs.toString().getBytes(StandardCharsets.US_ASCII)));
    }

    private static PrivateKey pemPrivateKey(String text, Path file) throws IOException, GeneralSecurityException {
        Matcher m = PEM_KEY.matcher(text);
        if (!m.find()) {
            throw new IOException("no '-----BEGIN PRIVATE KEY-----' block in " + file);
        }
        if (!m.group(1).isEmpty()) {
            throw new IOException(file + " holds a '" + m.group(1) + "PRIVATE KEY'; Semel reads unencrypted PKCS#8 "
                    + "keys: convert with 'openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem'");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(2));
        GeneralSecurityException last = null;
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new IOException("the key in " + file + " is neither RSA, EC nor Ed25519: " + last.getMessage(), last);
    }
}
