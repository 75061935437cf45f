package ${{ values.packageName }}.security;

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
