import type { JavaProject } from "./project.js";

/*
 * Java source templates. Only validated identifiers are interpolated (the package is a checked Java
 * package, the type prefix comes from a DNS label), so no escaping is needed; free text never is.
 */

export const application = (j: JavaProject) => `package ${j.packageName};

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class ${j.typePrefix}Application {

    public static void main(String[] args) {
        SpringApplication.run(${j.typePrefix}Application.class, args);
    }
}
`;

export const greetingController = (j: JavaProject) => `package ${j.packageName};

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class GreetingController {

    public record Greeting(String message) {}

    @GetMapping("/api/hello")
    public Greeting hello(@RequestParam(defaultValue = "world") String name) {
        return new Greeting("Hello, " + name + "!");
    }
}
`;

export const applicationTest = (j: JavaProject) => `package ${j.packageName};

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ${j.typePrefix}ApplicationTests {

    @Autowired
    private TestRestTemplate http;

    @Test
    void probesAreUpOnTheMainPort() {
        for (String path : new String[] {"/healthz", "/livez", "/readyz"}) {
            var response = http.getForEntity(path, String.class);
            assertThat(response.getStatusCode()).as(path).isEqualTo(HttpStatus.OK);
            assertThat(response.getBody()).as(path).contains("\\"UP\\"");
        }
    }

    @Test
    void greetsByName() {
        var greeting = http.getForObject("/api/hello?name=Ada", GreetingController.Greeting.class);
        assertThat(greeting.message()).isEqualTo("Hello, Ada!");
    }
}
`;

/*
 * Login and API access. One filter chain serves two kinds of caller: browsers sign in through the
 * platform's issuer (oauth2Login, a session cookie) and API clients send a JWT access token from the
 * same issuer (oauth2ResourceServer, no session). CSRF guards what a cross-site page can make a
 * browser send, which is cookies and never an Authorization header: cookie-authenticated writes need
 * the session's CSRF token (GET /api/csrf); bearer-token and session-less requests are exempt.
 */
export const securityConfig = (j: JavaProject) => `package ${j.packageName}.security;

import java.util.LinkedHashMap;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.DelegatingAuthenticationEntryPoint;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Two kinds of caller share one chain:
 * <ul>
 *   <li>browsers sign in through the platform's issuer (oauth2Login) and then carry a session cookie;
 *   <li>API clients send {@code Authorization: Bearer <JWT access token>} from the same issuer, checked
 *       against its JWKS (oauth2ResourceServer) without a session.
 * </ul>
 * CSRF protection exists because a cross-site page can make a browser send its cookies; it can never
 * make it send an Authorization header. So cookie-authenticated writes need the session's CSRF token
 * (browser code reads it from {@code GET /api/csrf} and sends it back as {@code X-CSRF-TOKEN});
 * bearer-token requests, and requests with no session at all, are exempt. Unauthenticated
 * {@code /api/**} calls get 401 with {@code WWW-Authenticate: Bearer}; pages redirect to the login.
 */
@Configuration
@Profile("!local")
public class SecurityConfig {

    /** The kubelet probes without credentials. */
    static final String[] PUBLIC = {"/healthz", "/healthz/**", "/livez", "/readyz", "/error"};

    private static final RequestMatcher API = PathPatternRequestMatcher.withDefaults().matcher("/api/**");

    private static final RequestMatcher BEARER = request -> {
        String header = request.getHeader("Authorization");
        return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7);
    };

    /** No session cookie, so no signed-in browser to forge a request for: let it reach the 401. */
    private static final RequestMatcher NO_SESSION = request -> request.getRequestedSessionId() == null;

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http, PlatformIssuer issuer) throws Exception {
        var entryPoints = new LinkedHashMap<RequestMatcher, AuthenticationEntryPoint>();
        entryPoints.put(API, new BearerTokenAuthenticationEntryPoint());
        var entryPoint = new DelegatingAuthenticationEntryPoint(entryPoints);
        entryPoint.setDefaultEntryPoint(new LoginUrlAuthenticationEntryPoint(PlatformIssuer.LOGIN_PATH));

        http.authorizeHttpRequests(auth -> auth
                .requestMatchers(PUBLIC).permitAll()
                .anyRequest().authenticated())
            .oauth2Login(login -> login
                .clientRegistrationRepository(issuer)
                .loginPage(PlatformIssuer.LOGIN_PATH))
            .oauth2ResourceServer(api -> api.jwt(jwt -> jwt.decoder(issuer.jwtDecoder())))
            .csrf(csrf -> csrf.ignoringRequestMatchers(BEARER, NO_SESSION))
            .exceptionHandling(errors -> errors.authenticationEntryPoint(entryPoint))
            .logout(logout -> logout.logoutSuccessUrl("/"));
        return http.build();
    }
}
`;

/*
 * The issuer, reached lazily: the app starts while ZITADEL is down, reports not ready, and recovers.
 * Spring Boot's own issuer-uri properties would fetch the discovery document while the context
 * starts (a crash loop whenever the issuer is down), so the registration is built here instead.
 */
export const platformIssuer = (j: JavaProject) => `package ${j.packageName}.security;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Profile;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.ClientRegistrations;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.SupplierJwtDecoder;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;
import org.springframework.web.client.RestTemplate;

/**
 * The platform's OIDC issuer (ZITADEL or Keycloak), contacted lazily so the app starts while it is
 * down: a background thread fetches the discovery document until it answers, login and token checks
 * use it once known, and the {@code issuer} health indicator keeps the readiness probe down until
 * then. Every call to the issuer has a timeout, so a hung issuer cannot hang a probe or a request.
 */
@Component("issuer")
@Profile("!local")
public class PlatformIssuer implements ClientRegistrationRepository, HealthIndicator, DisposableBean {

    static final String REGISTRATION_ID = "platform";
    static final String LOGIN_PATH = "/oauth2/authorization/" + REGISTRATION_ID;

    private static final Logger log = LoggerFactory.getLogger(PlatformIssuer.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration MAX_WAIT = Duration.ofSeconds(30);

    private final String issuer;
    private final String clientId;
    private final String clientSecret;
    private final String audience;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final ObjectMapper json;
    private final JwtDecoder jwtDecoder;
    private final Thread discovery;
    private volatile ClientRegistration registration;
    private volatile String lastError = "not contacted yet";

    public PlatformIssuer(
            @Value("\${app.oidc.issuer-url}") String issuer,
            @Value("\${app.oidc.client-id}") String clientId,
            @Value("\${app.oidc.client-secret}") String clientSecret,
            @Value("\${app.oidc.audience}") String audience,
            ObjectMapper json) {
        if (!StringUtils.hasText(issuer) || !StringUtils.hasText(clientId)) {
            // A configuration mistake, not an outage: fail at once, with the way out.
            throw new IllegalStateException("OIDC_ISSUER_URL and OIDC_CLIENT_ID must be set"
                    + " (the platform injects them); for a local run without an issuer use the local profile");
        }
        this.issuer = issuer;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.audience = StringUtils.hasText(audience) ? audience : clientId;
        this.json = json;
        this.jwtDecoder = new SupplierJwtDecoder(this::buildJwtDecoder);
        this.discovery = Thread.ofVirtual().name("oidc-discovery").start(this::discoverUntilReachable);
    }

    /** Access tokens: signed by the issuer's keys, issued by it, for this service, not expired. */
    public JwtDecoder jwtDecoder() {
        return jwtDecoder;
    }

    private JwtDecoder buildJwtDecoder() {
        var requests = new SimpleClientHttpRequestFactory();
        requests.setConnectTimeout(TIMEOUT);
        requests.setReadTimeout(TIMEOUT);
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withIssuerLocation(issuer)
                .restOperations(new RestTemplate(requests))
                .validateType(false)
                .build();
        // Access tokens are typed "JWT" (ZITADEL, Keycloak) or "at+jwt" (RFC 9068).
        var type = new JwtTypeValidator("JWT", "at+jwt");
        type.setAllowEmpty(true);
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
                JwtValidators.createDefaultWithIssuer(issuer),
                type,
                new JwtClaimValidator<List<String>>(JwtClaimNames.AUD, aud -> aud != null && aud.contains(audience))));
        return decoder;
    }

    @Override
    public ClientRegistration findByRegistrationId(String registrationId) {
        if (!REGISTRATION_ID.equals(registrationId)) {
            return null;
        }
        if (registration == null) {
            tryDiscover();
        }
        return registration;
    }

    @Override
    public Health health() {
        return registration != null
                ? Health.up().withDetail("issuer", issuer).build()
                : Health.down().withDetail("issuer", issuer).withDetail("error", lastError).build();
    }

    private void discoverUntilReachable() {
        Duration wait = Duration.ofSeconds(1);
        while (!tryDiscover()) {
            log.warn("OIDC issuer {} not reachable, retrying in {}s: {}", issuer, wait.toSeconds(), lastError);
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                return;
            }
            wait = wait.multipliedBy(2).compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait.multipliedBy(2);
        }
        log.info("OIDC issuer {} reached", issuer);
    }

    private synchronized boolean tryDiscover() {
        if (registration != null) {
            return true;
        }
        try {
            var uri = URI.create(issuer.replaceAll("/+$", "") + "/.well-known/openid-configuration");
            var response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("discovery answered HTTP " + response.statusCode());
            }
            Map<String, Object> metadata = json.readValue(response.body(), new TypeReference<>() {});
            if (!issuer.equals(metadata.get("issuer"))) {
                throw new IllegalStateException("discovery names issuer " + metadata.get("issuer"));
            }
            registration = ClientRegistrations.fromOidcConfiguration(metadata)
                    .registrationId(REGISTRATION_ID)
                    .clientId(clientId)
                    .clientSecret(clientSecret)
                    .scope("openid", "profile", "email")
                    .build();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lastError = "interrupted";
        } catch (Exception e) {
            lastError = e.toString();
        }
        return false;
    }

    @Override
    public void destroy() {
        discovery.interrupt();
    }
}
`;

/*
 * `local` profile: no issuer, every request is one fixed developer. It refuses to start unless the
 * server listens on loopback only, so it cannot be switched on by mistake where others can reach it.
 */
export const localSecurityConfig = (j: JavaProject) => `package ${j.packageName}.security;

import jakarta.servlet.Filter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;

/**
 * The {@code local} profile, for running on a laptop without an OIDC issuer: every request is signed
 * in as {@value #LOCAL_USER}. It refuses to start unless the server listens on loopback only
 * (application-local.yaml binds 127.0.0.1), so it cannot open the app to a network by mistake.
 * No cookie authenticates anyone here, so there is nothing for CSRF to protect.
 */
@Configuration
@Profile("local")
public class LocalSecurityConfig {

    public static final String LOCAL_USER = "local-developer";

    @Bean
    SecurityFilterChain localSecurityFilterChain(HttpSecurity http, @Value("\${server.address:}") String address)
            throws Exception {
        if (!isLoopback(address)) {
            throw new IllegalStateException("the local profile signs every request in as " + LOCAL_USER
                    + " and only listens on loopback, but server.address is '" + address + "'");
        }
        var developer = UsernamePasswordAuthenticationToken.authenticated(
                LOCAL_USER, null, AuthorityUtils.createAuthorityList("ROLE_USER"));
        Filter signIn = (request, response, chain) -> {
            SecurityContextHolder.getContext().setAuthentication(developer);
            chain.doFilter(request, response);
        };
        http.addFilterBefore(signIn, AuthorizationFilter.class)
            .authorizeHttpRequests(auth -> auth.anyRequest().authenticated())
            .csrf(csrf -> csrf.disable());
        return http.build();
    }

    private static boolean isLoopback(String address) {
        try {
            return !address.isBlank() && InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
`;

export const meController = (j: JavaProject) => `package ${j.packageName}.security;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.ClaimAccessor;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class MeController {

    /**
     * The caller as the issuer describes them, signed in through the browser (an OIDC user) or calling
     * with an access token (a JWT); the subject is the {@code sub} claim either way. Absent claims are
     * left out.
     */
    @GetMapping("/api/me")
    public Map<String, String> me(Authentication caller) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("subject", caller.getName());
        if (caller.getPrincipal() instanceof ClaimAccessor claims) {
            for (String claim : new String[] {"name", "email"}) {
                String value = claims.getClaimAsString(claim);
                if (value != null) {
                    out.put(claim, value);
                }
            }
        }
        return out;
    }
}
`;

export const csrfController = (j: JavaProject) => `package ${j.packageName}.security;

import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class CsrfController {

    /**
     * For browser code on a signed-in session: send {@code token} back in the header named
     * {@code headerName} with every POST, PUT, PATCH or DELETE. Bearer-token clients need none.
     */
    @GetMapping("/api/csrf")
    public CsrfToken csrf(CsrfToken token) {
        return token;
    }
}
`;

export const meControllerTest = (j: JavaProject) => `package ${j.packageName}.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

class MeControllerTest {

    private final MeController controller = new MeController();

    private static OAuth2AuthenticationToken browser(Map<String, Object> claims) {
        var token = new OidcIdToken("id-token", Instant.now(), Instant.now().plusSeconds(60), claims);
        var user = new DefaultOidcUser(AuthorityUtils.createAuthorityList("OIDC_USER"), token);
        return new OAuth2AuthenticationToken(user, user.getAuthorities(), "platform");
    }

    private static JwtAuthenticationToken apiClient(Map<String, Object> claims) {
        var jwt = Jwt.withTokenValue("access-token").header("alg", "RS256").claims(c -> c.putAll(claims)).build();
        return new JwtAuthenticationToken(jwt, List.of());
    }

    @Test
    void describesTheSignedInUser() {
        var me = controller.me(browser(Map.of("sub", "42", "name", "Ada Lovelace", "email", "ada@example.com")));
        assertThat(me).containsEntry("subject", "42")
            .containsEntry("name", "Ada Lovelace")
            .containsEntry("email", "ada@example.com");
    }

    @Test
    void describesAnApiClientByItsAccessToken() {
        var me = controller.me(apiClient(Map.of("sub", "svc-7", "email", "svc@example.com")));
        assertThat(me).containsEntry("subject", "svc-7").containsEntry("email", "svc@example.com");
    }

    @Test
    void leavesOutClaimsTheIssuerDidNotSend() {
        assertThat(controller.me(browser(Map.of("sub", "42")))).containsOnlyKeys("subject");
        assertThat(controller.me(apiClient(Map.of("sub", "42")))).containsOnlyKeys("subject");
    }
}
`;

export const localProfileTests = (j: JavaProject) => `package ${j.packageName}.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ${j.packageName}.${j.typePrefix}Application;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.test.context.ActiveProfiles;

/** The local profile: no issuer needed, one fixed developer, loopback only. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"DATABASE_HOST=127.0.0.1", "DATABASE_PORT=1"})
@ActiveProfiles("local")
class LocalProfileTests {

    @Autowired
    private TestRestTemplate http;

    @Test
    void signsEveryRequestInAsTheLocalDeveloper() {
        var me = http.getForObject("/api/me", Map.class);
        assertThat(me).containsEntry("subject", LocalSecurityConfig.LOCAL_USER);
    }

    @Test
    void refusesToListenBeyondLoopback() {
        var app = new SpringApplicationBuilder(${j.typePrefix}Application.class)
                .profiles("local")
                .properties("server.port=0", "DATABASE_PORT=1");
        // As SERVER_ADDRESS=0.0.0.0 would: above application-local.yaml's 127.0.0.1.
        assertThatThrownBy(() -> app.run("--server.address=0.0.0.0").close())
                .rootCause()
                .hasMessageContaining("only listens on loopback");
    }
}
`;

/** The postgres-oidc app started for real with neither its database nor its issuer reachable. */
export const postgresOidcApplicationTest = (j: JavaProject) => `package ${j.packageName};

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

/**
 * Starts the whole application the way the platform does, except that nothing listens where it
 * looks for PostgreSQL and the OIDC issuer (port 1): it must start anyway, be live but not ready,
 * and answer API calls without a token with 401 (never a CSRF 403 or a login page).
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "DATABASE_HOST=127.0.0.1",
            "DATABASE_PORT=1",
            "OIDC_ISSUER_URL=http://127.0.0.1:1/issuer",
            "OIDC_CLIENT_ID=test-client",
            "OIDC_CLIENT_SECRET=test-secret"
        })
class ${j.typePrefix}ApplicationTests {

    @Autowired
    private TestRestTemplate http;

    @Test
    void startsWithoutItsDatabaseAndIssuerLiveButNotReady() {
        var live = http.getForEntity("/livez", String.class);
        assertThat(live.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(live.getBody()).contains("\\"UP\\"");
        var ready = http.getForEntity("/readyz", String.class);
        assertThat(ready.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
    }

    @Test
    void apiCallsWithoutATokenGet401WithABearerChallenge() {
        var read = http.getForEntity("/api/notes", String.class);
        assertThat(read.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(read.getHeaders().getFirst(HttpHeaders.WWW_AUTHENTICATE)).startsWith("Bearer");
        var write = http.postForEntity("/api/notes", Map.of("text", "hello"), String.class);
        assertThat(write.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
    }
}
`;

/*
 * Migrations after startup, not during it: Spring Boot's default runs Flyway while the context
 * starts, so a database that is down at that moment crashes the pod into a restart loop. Here the
 * strategy only records the Flyway instance; once the app is up a background thread migrates (retrying
 * with backoff) and then has Hibernate validate the mapping against the migrated schema. Until both
 * succeeded the `migrations` health indicator, part of the readiness group, is down.
 */
export const migrations = (j: JavaProject) => `package ${j.packageName}.db;

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
`;

export const migration = () => `-- Owned by Flyway: never edit an applied migration, add V2__... instead.
-- Types match what Hibernate expects for Note: it validates the mapping after every migration.
CREATE TABLE note (
    id         BIGSERIAL      PRIMARY KEY,
    author     VARCHAR(255)   NOT NULL,
    text       VARCHAR(10000) NOT NULL CHECK (length(text) > 0),
    created_at TIMESTAMPTZ    NOT NULL DEFAULT now()
);

CREATE INDEX note_author_created_at ON note (author, created_at DESC);
`;
export const noteEntity = (j: JavaProject) => `package ${j.packageName}.note;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.Instant;

@Entity
public class Note {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false)
    private String author;

    @Column(nullable = false, length = 10_000)
    private String text;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    protected Note() {}

    public Note(String author, String text) {
        this.author = author;
        this.text = text;
        this.createdAt = Instant.now();
    }

    public Long getId() {
        return id;
    }

    public String getAuthor() {
        return author;
    }

    public String getText() {
        return text;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }
}
`;

export const noteRepository = (j: JavaProject) => `package ${j.packageName}.note;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

public interface NoteRepository extends JpaRepository<Note, Long> {

    List<Note> findTop50ByAuthorOrderByCreatedAtDesc(String author);
}
`;

export const noteController = (j: JavaProject) => `package ${j.packageName}.note;

import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The caller's notes: the smallest feature that exercises login, JPA and Flyway together. The author
 * is the caller's {@code sub}, whether they signed in through the browser or sent an access token.
 */
@RestController
@RequestMapping("/api/notes")
public class NoteController {

    public record NewNote(String text) {}

    private final NoteRepository notes;

    public NoteController(NoteRepository notes) {
        this.notes = notes;
    }

    @GetMapping
    public List<Note> list(Authentication caller) {
        return notes.findTop50ByAuthorOrderByCreatedAtDesc(caller.getName());
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    public Note create(Authentication caller, @RequestBody NewNote body) {
        if (body.text() == null || body.text().isBlank() || body.text().length() > 10_000) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "text must be 1 to 10000 characters");
        }
        return notes.save(new Note(caller.getName(), body.text()));
    }
}
`;
