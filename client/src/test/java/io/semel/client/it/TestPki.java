package io.semel.client.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away PKI made with the JDK's own {@code keytool}, the way docs/security.md tells a user
 * to: a CA, a broker certificate for localhost/127.0.0.1 signed by it, a client certificate for
 * mutual TLS, and a second, untrusted CA whose self-signed key serves as an untrusted client. Keys are EC P-256
 * (quick to make). Everything is PKCS#12 with one password; {@link #pemKey} also writes PEM files.
 */
final class TestPki {
    static final String PASSWORD = "changeit";

    final Path dir;
    final Path caPem;
    final Path brokerP12;
    final Path clientP12;
    final Path rogueCaPem;
    final Path rogueClientP12;
    final Path passwordFile;

    private TestPki(Path dir) {
        this.dir = dir;
        caPem = dir.resolve("ca.pem");
        brokerP12 = dir.resolve("broker.p12");
        clientP12 = dir.resolve("client.p12");
        rogueCaPem = dir.resolve("rogue-ca.pem");
        rogueClientP12 = dir.resolve("rogue-ca.p12");
        passwordFile = dir.resolve("store-password");
    }

    static TestPki create(Path dir) throws IOException, InterruptedException {
        TestPki pki = new TestPki(dir);
        Files.writeString(pki.passwordFile, PASSWORD + "\n");
        pki.ca("ca");
        pki.signed("broker", "ca", "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1");
        pki.signed("client", "ca", "CN=alice", null);
        pki.ca("rogue-ca"); // its own self-signed key doubles as a client certificate the broker must refuse
        return pki;
    }

    private void ca(String name) throws IOException, InterruptedException {
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-ext", "bc:c", "-validity", "30", "-keystore", name + ".p12", "-storetype", "PKCS12",
                "-storepass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", name, "-keystore", name + ".p12", "-storepass", PASSWORD,
                "-file", name + ".pem");
    }

    private void signed(String name, String ca, String dname, String san) throws IOException, InterruptedException {
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dname,
                "-validity", "30", "-keystore", name + ".p12", "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool("-certreq", "-alias", name, "-keystore", name + ".p12", "-storepass", PASSWORD, "-file",
                name + ".csr");
        List<String> sign = new ArrayList<>(List.of("-gencert", "-alias", ca, "-keystore", ca + ".p12", "-storepass",
                PASSWORD, "-infile", name + ".csr", "-outfile", name + ".pem", "-rfc", "-validity", "30"));
        if (san != null) {
            sign.addAll(List.of("-ext", san));
        }
        keytool(sign.toArray(new String[0]));
        // The reply with its chain (leaf, then CA) replaces the self-signed certificate of the key.
        Files.writeString(dir.resolve(name + "-chain.pem"), Files.readString(dir.resolve(name + ".pem"))
                + Files.readString(dir.resolve(ca + ".pem")));
        keytool("-importcert", "-noprompt", "-alias", name, "-file", name + "-chain.pem", "-keystore", name + ".p12",
                "-storepass", PASSWORD);
    }

    /** Writes the key of {@code p12} as an unencrypted PKCS#8 PEM file; returns its path. */
    Path pemKey(Path p12, String alias) throws Exception {
        KeyStore ks = KeyStore.getInstance(p12.toFile(), PASSWORD.toCharArray());
        PrivateKey key = (PrivateKey) ks.getKey(alias, PASSWORD.toCharArray());
        Path out = dir.resolve(alias + "-key.pem");
        Files.writeString(out, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        return out;
    }

    /** The signed certificate of {@code name}, PEM (written by -gencert). */
    Path pemCert(String name) {
        return dir.resolve(name + ".pem");
    }

    private void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC")); // a short-lived JVM: start fast
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }
}
