package io.semel.broker.internal;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import io.semel.broker.security.AclAuthorizer;
import io.semel.broker.security.AclEntry;
import io.semel.broker.security.AclFile;
import io.semel.broker.security.Authorizer;
import io.semel.broker.security.CredentialFile;
import io.semel.broker.security.SecurityConfig;
import io.semel.protocol.scram.ScramCredential;
import io.semel.protocol.scram.ScramServer;
import io.semel.protocol.tls.TlsMaterial;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's security state: the TLS context, the current users and ACLs (immutable snapshots
 * read from the data directory), and the authorizer over them. Thread-safe: event loops read the
 * volatile snapshots; {@link #reload} runs on {@code broker-admin} (file I/O never happens on an
 * event loop) and swaps them when a file changed. A file that fails to load keeps the previous
 * snapshot and logs an error, so a bad edit never opens or closes the broker by accident.
 */
public final class BrokerSecurity {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerSecurity.class);

    private final SecurityConfig config;
    private final Path dataDir;
    private final SSLContext sslContext;
    private final Authorizer authorizer;
    private final SecureRandom random;
    private final byte[] decoySecret = new byte[32];
    private volatile Map<String, ScramCredential> users = Map.of();
    private volatile List<AclEntry> acls = List.of();
    private Object usersStamp;
    private Object aclsStamp;

    private BrokerSecurity(SecurityConfig config, Path dataDir, SSLContext sslContext, SecureRandom random) {
        this.config = config;
        this.dataDir = dataDir;
        this.sslContext = sslContext;
        this.random = random;
        random.nextBytes(decoySecret);
        this.authorizer = config.authorizationEnabled() ? new AclAuthorizer(config.superUsers(), () -> acls)
                : Authorizer.ALLOW_ALL;
    }

    /**
     * Loads the TLS material and, with authentication on, the users and ACLs.
     *
     * @throws IOException when a key, certificate or security file cannot be read: the broker must
     *     not start half-secured
     */
    public static BrokerSecurity open(SecurityConfig config, Path dataDir, SecureRandom random) throws IOException {
        Objects.requireNonNull(config, "config");
        BrokerSecurity s = new BrokerSecurity(config, dataDir, config.tlsEnabled() ? sslContext(config) : null, random);
        if (config.authorizationEnabled()) {
            s.users = CredentialFile.read(dataDir);
            s.acls = AclFile.read(dataDir);
            s.usersStamp = stamp(CredentialFile.path(dataDir));
            s.aclsStamp = stamp(AclFile.path(dataDir));
            if (!config.tlsEnabled()) {
                LOG.warn("security.authentication=scram without TLS (tls.keyFile unset): passwords never travel, but a "
                        + "listener sees user names and can guess weak passwords offline from the exchange; turn TLS on");
            }
            if (s.users.isEmpty()) {
                LOG.warn("security.authentication=scram but {} has no users: no client can connect until one is added "
                        + "with 'semel user add --data-dir {} --user NAME'", CredentialFile.path(dataDir), dataDir);
            }
        }
        return s;
    }

    private static SSLContext sslContext(SecurityConfig c) throws IOException {
        char[] password = c.tlsKeyPasswordFile() == null ? new char[0] : readPassword(c.tlsKeyPasswordFile());
        KeyStore keys = TlsMaterial.keyStore(c.tlsKeyFile(), c.tlsCertFile(), password);
        KeyStore trust = c.tlsClientCaFile() == null ? null : TlsMaterial.trustStore(c.tlsClientCaFile(), password);
        return TlsMaterial.context(keys, TlsMaterial.isPem(c.tlsKeyFile()) ? new char[0] : password, trust);
    }

    /** The first line of {@code file}, without its line break. */
    static char[] readPassword(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int eol = text.indexOf('\n');
        String line = eol < 0 ? text : text.substring(0, eol);
        return (line.endsWith("\r") ? line.substring(0, line.length() - 1) : line).toCharArray();
    }

    public SecurityConfig config() {
        return config;
    }

    public boolean tlsEnabled() {
        return sslContext != null;
    }

    public boolean authenticationRequired() {
        return config.authorizationEnabled();
    }

    public Authorizer authorizer() {
        return authorizer;
    }

    /** A server-side TLS handler for one new connection. */
    public SslHandler newSslHandler(ByteBufAllocator alloc) {
        SSLEngine engine = sslContext.createSSLEngine();
        engine.setUseClientMode(false);
        engine.setEnabledProtocols(TlsMaterial.PROTOCOLS);
        engine.setNeedClientAuth(config.clientAuth() == SecurityConfig.ClientAuth.REQUIRED);
        return new SslHandler(engine);
    }

    /** A fresh SCRAM exchange over the current users. */
    public ScramServer newScramServer() {
        return new ScramServer(this::credential, decoySecret, random);
    }

    Optional<ScramCredential> credential(String user) {
        return Optional.ofNullable(users.get(user));
    }

    /** Re-reads the users and ACL files if they changed since the last look. Runs on broker-admin. */
    public void reload() {
        if (!config.authorizationEnabled()) {
            return;
        }
        try {
            Object u = stamp(CredentialFile.path(dataDir));
            if (!Objects.equals(u, usersStamp)) {
                users = CredentialFile.read(dataDir);
                usersStamp = u;
                LOG.info("reloaded {}: {} users", CredentialFile.path(dataDir), users.size());
            }
            Object a = stamp(AclFile.path(dataDir));
            if (!Objects.equals(a, aclsStamp)) {
                acls = AclFile.read(dataDir);
                aclsStamp = a;
                LOG.info("reloaded {}: {} ACL entries", AclFile.path(dataDir), acls.size());
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot reload the security files; keeping the users and ACLs loaded before: {}", e.toString());
        }
    }

    /** What identifies one version of a file: inode (a rename makes a new one), size and mtime. */
    private static Object stamp(Path file) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return List.of(String.valueOf(a.fileKey()), a.size(), a.lastModifiedTime().toMillis());
        } catch (NoSuchFileException e) {
            return "absent";
        }
    }
}
