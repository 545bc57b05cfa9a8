package io.cohort.itests;

import static io.cohort.itests.support.Eventually.eventually;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.util.List;

import io.cohort.api.cache.CacheManager;
import io.cohort.api.lock.LockManager;
import io.cohort.api.node.CohortNode;
import io.cohort.api.pubsub.PubSubManager;
import io.cohort.api.queue.EventQueue;
import io.cohort.api.sync.SyncMessageManager;
import io.cohort.itests.support.CohortOptions;
import io.cohort.itests.support.CohortTestSupport;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

/** The Cohort bundles start in a bare framework, their components come up and the public services are there. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SmokeIT extends CohortTestSupport {

    private static final List<Class<?>> MANAGERS = List.of(CacheManager.class, SyncMessageManager.class,
            PubSubManager.class, EventQueue.class, LockManager.class);

    @Configuration
    public Option[] config() {
        return CohortOptions.node(SmokeIT.class);
    }

    @Test(timeout = 30_000)
    public void cohortBundles_afterStart_areActive() {
        for (String bsn : List.of(API_BSN, CORE_BSN, SHELL_BSN)) {
            eventually(() -> assertEquals("state of " + bsn, bundleStateName(Bundle.ACTIVE),
                    bundleStateName(bundle(bsn).getState())));
        }
    }

    @Test(timeout = 30_000)
    public void components_afterStart_areSatisfied() {
        Bundle core = bundle(CORE_BSN);
        Bundle shell = bundle(SHELL_BSN);

        assertFalse("core declares no DS component", scr.getComponentDescriptionDTOs(core).isEmpty());
        assertFalse("shell declares no DS component", scr.getComponentDescriptionDTOs(shell).isEmpty());
        eventually(() -> assertEquals("components not active or satisfied", "", componentReport(core, shell)));
    }

    @Test(timeout = 30_000)
    public void managers_afterStart_areRegisteredPerBundle() {
        for (Class<?> manager : MANAGERS) {
            assertNotNull(manager.getSimpleName(), service(manager));
            ServiceReference<?> reference = context.getServiceReference(manager.getName());
            assertEquals("service scope of " + manager.getSimpleName(), Constants.SCOPE_BUNDLE,
                    reference.getProperty(Constants.SERVICE_SCOPE));
        }
    }

    @Test(timeout = 30_000)
    public void node_afterStart_reportsIdentity() {
        CohortNode node = node();

        assertFalse("node id is empty", node.nodeId().isBlank());
        assertEquals("application name", "cohort", node.appName());
        assertNotNull("started at", node.startedAt());
    }

    @Test(timeout = 30_000)
    public void coreComponents_afterStart_includeEveryManager() {
        List<String> implemented = scr.getComponentDescriptionDTOs(bundle(CORE_BSN)).stream()
                .flatMap(description -> List.of(description.serviceInterfaces).stream())
                .toList();

        for (Class<?> manager : MANAGERS) {
            assertTrue("no core component provides " + manager.getName(), implemented.contains(manager.getName()));
        }
        assertTrue("no core component provides " + CohortNode.class.getName(),
                implemented.contains(CohortNode.class.getName()));
    }
}
