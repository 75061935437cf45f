package ${{ values.packageName }}.security;

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
