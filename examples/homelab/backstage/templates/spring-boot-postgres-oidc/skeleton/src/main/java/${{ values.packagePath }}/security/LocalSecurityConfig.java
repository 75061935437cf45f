package ${{ values.packageName }}.security;

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
    SecurityFilterChain localSecurityFilterChain(HttpSecurity http, @Value("${server.address:}") String address)
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
