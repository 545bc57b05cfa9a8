package io.cohort.hazelcast;

import java.util.Map;

import io.cohort.api.node.ConfigurationError;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs this node's {@link HazelcastMember} from configuration PID {@value HazelcastMember#PID} and registers it, under
 * its bundle-private class, for the Hazelcast adapters once it has started.
 *
 * <p>Invalid settings start no member: the component logs one ERROR naming every invalid setting, registers it as a
 * {@link ConfigurationError} for {@code cohort:info}, and stays active without a member, so no Hazelcast adapter
 * registers and the node's plugins wait for the adapters instead of failing. The first valid
 * configuration after that starts the member while the node runs. A member that runs keeps running when the
 * configuration changes (see {@link HazelcastMember}). An invalid change is registered as a
 * {@link ConfigurationError} as well, until the next valid change. Deleting the configuration stops the member.
 *
 * <p>The component needs a configuration of that PID (in the distribution, {@code etc/io.cohort.hazelcast.cfg}), even
 * an empty one for all defaults. Otherwise a node whose settings configuration admin has not delivered yet would
 * start a member on the default port and cluster name and join whatever cluster runs there, and leave that cluster
 * again a moment later, when the settings arrive.
 */
@Component(service = {}, immediate = true, configurationPid = HazelcastMember.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class MemberComponent {

    private static final Logger LOG = LoggerFactory.getLogger(MemberComponent.class);

    private final BundleContext context;
    private HazelcastMember member;
    private ServiceRegistration<HazelcastMember> registration;
    private ServiceRegistration<ConfigurationError> invalidConfiguration;

    /** Starts the member from the configuration, unless its settings are invalid. */
    @Activate
    public MemberComponent(BundleContext context, Map<String, Object> properties) {
        this.context = context;
        start(properties);
    }

    /**
     * Passes a changed configuration to the running member, or starts the member when none runs yet. An invalid
     * configuration leaves the running member as it is, and stays registered as a {@link ConfigurationError} until
     * the next valid one.
     */
    @Modified
    synchronized void modified(Map<String, Object> properties) {
        if (member != null) {
            withdrawConfigurationError();
            member.modified(properties).ifPresent(message -> registerConfigurationError(message
                    + ". Hazelcast member " + member.localMemberUuid() + " keeps running with its previous settings"));
            return;
        }
        LOG.info("Configuration {} changed while no Hazelcast member runs; starting the member", HazelcastMember.PID);
        start(properties);
    }

    /** Withdraws the member from the adapters, which stop first, and then stops it. */
    @Deactivate
    synchronized void deactivate() {
        withdrawConfigurationError();
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
        if (member != null) {
            member.deactivate();
            member = null;
        }
    }

    private synchronized void start(Map<String, Object> properties) {
        withdrawConfigurationError();
        try {
            member = new HazelcastMember(HazelcastMember.parse(properties), HazelcastMember.home(context));
        } catch (IllegalArgumentException e) {
            // The message names the PID and every invalid setting, or the Hazelcast configuration file.
            LOG.error("Hazelcast member not started: {}. Hazelcast adapters stay unregistered, and plugins wait for "
                    + "them, until the configuration is fixed", e.getMessage());
            registerConfigurationError(e.getMessage());
            return;
        } catch (RuntimeException e) {
            // The member has logged why Hazelcast did not start.
            LOG.debug("Hazelcast member not started; plugins wait for the Hazelcast adapters", e);
            return;
        }
        registration = context.registerService(HazelcastMember.class, member, null);
    }

    private void registerConfigurationError(String message) {
        invalidConfiguration = context.registerService(ConfigurationError.class,
                new ConfigurationError(HazelcastMember.PID, message), null);
    }

    private void withdrawConfigurationError() {
        if (invalidConfiguration != null) {
            invalidConfiguration.unregister();
            invalidConfiguration = null;
        }
    }
}
