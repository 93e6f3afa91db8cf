package org.imdp.broker;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.SecurityConfiguration;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.spi.core.security.ActiveMQJAASSecurityManager;
import org.apache.activemq.artemis.spi.core.security.ActiveMQSecurityManager;
import org.apache.activemq.artemis.spi.core.security.jaas.InVMLoginModule;

/**
 * Who may do what on the embedded broker. Security is always on and nobody connects without credentials:
 * <ul>
 * <li>the service's user ({@code imdp.broker.user} / {@code imdp.broker.password}, role {@value #SERVICE_ROLE}) may do
 * everything: it is the only one that sends to or consumes from the charging queue, the store's queues
 * ({@code im.deferred.expired}, {@code im.deferred.refused}) and the dead-letter queues;</li>
 * <li>the other IM Server parts' user ({@code imdp.broker.intake-user} / {@code imdp.broker.intake-password}, role
 * {@value #INTAKE_ROLE}, only when that password is set) may only send, and only to the intake queue, the availability
 * queue and {@code im.deferred.refused} (the documented contracts); it consumes and browses nothing.</li>
 * </ul>
 * The users live in memory (Artemis' in-VM login module, no JAAS file). With {@code imdp.broker.password} empty the
 * service's password is drawn at random for this run: the service reaches its broker in-VM, and the TCP acceptor takes
 * no client at all, which is only allowed while it listens on a loopback address.
 */
public final class BrokerSecurity {

    /** The service's role: every permission on every address. */
    public static final String SERVICE_ROLE = "imdp-service";
    /** The other IM Server parts' role: send to the intake, availability and refused queues, nothing else. */
    public static final String INTAKE_ROLE = "imdp-intake";

    /** A user name and password; {@code null} password = connect without credentials (an external broker only). */
    public record Credentials(String user, String password) {
        @Override
        public String toString() {
            return "Credentials[" + user + "]";
        }
    }

    private final Credentials service;
    private final boolean configuredPassword;
    private final Credentials intake;

    private BrokerSecurity(Credentials service, boolean configuredPassword, Credentials intake) {
        this.service = service;
        this.configuredPassword = configuredPassword;
        this.intake = intake;
    }

    /**
     * The embedded broker's users. Fails, naming the key, when the acceptor is bound to an address other than loopback
     * without {@code imdp.broker.password}, or when a key is inconsistent.
     *
     * @param host           {@code imdp.broker.embedded.host}, where the TCP acceptor listens
     * @param user           {@code imdp.broker.user}
     * @param password       {@code imdp.broker.password}; empty = a random one for this run (loopback only)
     * @param intakeUser     {@code imdp.broker.intake-user}
     * @param intakePassword {@code imdp.broker.intake-password}; empty = no such user
     */
    public static BrokerSecurity embedded(String host, String user, String password, String intakeUser,
                                          String intakePassword) {
        if (user.isEmpty()) {
            throw new IllegalArgumentException("Configuration key imdp.broker.user is empty: the service needs a user on its"
                                               + " embedded broker");
        }
        if (password.isEmpty() && !isLoopback(host)) {
            throw new IllegalArgumentException("Configuration key imdp.broker.password is empty, but the embedded broker's"
                    + " acceptor listens on imdp.broker.embedded.host = " + host + ", which is not a loopback address:"
                    + " set a password (IMDP_BROKER_PASSWORD) for the clients that connect there, or bind to 127.0.0.1");
        }
        Credentials intake = null;
        if (!intakePassword.isEmpty()) {
            if (intakeUser.isEmpty() || intakeUser.equals(user)) {
                throw new IllegalArgumentException("Configuration key imdp.broker.intake-user = " + intakeUser
                        + " must be set and differ from imdp.broker.user");
            }
            intake = new Credentials(intakeUser, intakePassword);
        }
        return new BrokerSecurity(new Credentials(user, password.isEmpty() ? randomPassword() : password),
                !password.isEmpty(), intake);
    }

    /** The credentials the service connects with (in-VM or over TCP). */
    public Credentials service() {
        return service;
    }

    /** Whether a client other than this process can log in at all: a password was configured, not drawn. */
    boolean remoteClientsCanLogIn() {
        return configuredPassword;
    }

    /** Artemis' security manager holding the users, in memory. */
    ActiveMQSecurityManager securityManager() {
        SecurityConfiguration users = new SecurityConfiguration();
        users.addUser(service.user(), service.password());
        users.addRole(service.user(), SERVICE_ROLE);
        if (intake != null) {
            users.addUser(intake.user(), intake.password());
            users.addRole(intake.user(), INTAKE_ROLE);
        }
        // no default user: a connection without credentials is refused
        return new ActiveMQJAASSecurityManager(InVMLoginModule.class.getName(), users);
    }

    /**
     * The permissions per address, for the embedded broker and as documentation of what an external broker must grant
     * (docs/operations.md, "External broker"). Artemis applies the most specific match alone, so each entry names the service's role
     * too.
     *
     * @param intakeAddresses where the other IM Server parts may send: the intake and availability queues and
     *                        {@code im.deferred.refused}
     */
    public static void addSecuritySettings(Configuration config, List<String> intakeAddresses) {
        config.putSecurityRoles("#", Set.of(serviceRole()));
        for (String address : intakeAddresses) {
            Role intake = new Role();
            intake.setName(INTAKE_ROLE);
            intake.setSend(true);
            Set<Role> roles = new LinkedHashSet<>();
            roles.add(serviceRole());
            roles.add(intake);
            config.putSecurityRoles(address, roles);
        }
    }

    private static Role serviceRole() {
        Role r = new Role();
        r.setName(SERVICE_ROLE);
        r.setSend(true);
        r.setConsume(true);
        r.setBrowse(true);
        r.setCreateAddress(true);
        r.setDeleteAddress(true);
        r.setCreateDurableQueue(true);
        r.setDeleteDurableQueue(true);
        r.setCreateNonDurableQueue(true);
        r.setDeleteNonDurableQueue(true);
        r.setManage(true);
        return r;
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("Configuration key imdp.broker.embedded.host = " + host
                                               + " is not a known host");
        }
    }

    private static String randomPassword() {
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }
}
