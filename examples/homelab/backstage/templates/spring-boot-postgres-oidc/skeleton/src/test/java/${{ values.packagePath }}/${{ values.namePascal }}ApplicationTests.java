package ${{ values.packageName }};

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
class ${{ values.namePascal }}ApplicationTests {

    @Autowired
    private TestRestTemplate http;

    @Test
    void startsWithoutItsDatabaseAndIssuerLiveButNotReady() {
        var live = http.getForEntity("/livez", String.class);
        assertThat(live.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(live.getBody()).contains("\"UP\"");
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
