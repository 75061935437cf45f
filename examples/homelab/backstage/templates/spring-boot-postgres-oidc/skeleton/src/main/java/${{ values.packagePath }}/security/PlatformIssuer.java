package ${{ values.packageName }}.security;

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
            @Value("${app.oidc.issuer-url}") String issuer,
            @Value("${app.oidc.client-id}") String clientId,
            @Value("${app.oidc.client-secret}") String clientSecret,
            @Value("${app.oidc.audience}") String audience,
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
