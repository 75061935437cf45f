package ${{ values.packageName }}.db;

import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import org.flywaydb.core.Flyway;
import org.hibernate.SessionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.flyway.FlywayMigrationStrategy;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Runs the Flyway migrations once the application is up instead of while it starts, so a database
 * that is down at startup leaves the app running and not ready rather than crash-looping. Retries
 * with backoff; after migrating, Hibernate validates the entities against the schema. The
 * {@code migrations} health indicator (in the readiness group) is down until both succeeded.
 * Replicas starting together are safe: Flyway takes a PostgreSQL advisory lock.
 */
@Component("migrations")
public class Migrations implements FlywayMigrationStrategy, HealthIndicator, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(Migrations.class);
    private static final Duration MAX_WAIT = Duration.ofSeconds(30);

    private final ObjectProvider<EntityManagerFactory> entityManagerFactory;
    private volatile Flyway flyway;
    private volatile Thread worker;
    private volatile boolean done;
    private volatile String lastError = "not run yet";

    public Migrations(ObjectProvider<EntityManagerFactory> entityManagerFactory) {
        this.entityManagerFactory = entityManagerFactory;
    }

    /** Called by Spring Boot while the context starts: only remember what to run. */
    @Override
    public void migrate(Flyway flyway) {
        this.flyway = flyway;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void start() {
        if (flyway != null && worker == null) {
            worker = Thread.ofVirtual().name("flyway-migrate").start(this::migrateUntilDone);
        }
    }

    private void migrateUntilDone() {
        Duration wait = Duration.ofSeconds(1);
        while (true) {
            try {
                flyway.migrate();
                entityManagerFactory.getObject().unwrap(SessionFactory.class).getSchemaManager().validateMappedObjects();
                done = true;
                log.info("database schema migrated and validated");
                return;
            } catch (RuntimeException e) {
                lastError = e.getMessage();
                log.warn("database schema not ready, retrying in {}s: {}", wait.toSeconds(), e.getMessage());
            }
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                return;
            }
            wait = wait.multipliedBy(2).compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait.multipliedBy(2);
        }
    }

    @Override
    public Health health() {
        return done ? Health.up().build() : Health.down().withDetail("error", lastError).build();
    }

    @Override
    public void destroy() {
        if (worker != null) {
            worker.interrupt();
        }
    }
}
