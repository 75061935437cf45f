package ${{ values.packageName }}.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ${{ values.packageName }}.${{ values.namePascal }}Application;
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
        var app = new SpringApplicationBuilder(${{ values.namePascal }}Application.class)
                .profiles("local")
                .properties("server.port=0", "DATABASE_PORT=1");
        // As SERVER_ADDRESS=0.0.0.0 would: above application-local.yaml's 127.0.0.1.
        assertThatThrownBy(() -> app.run("--server.address=0.0.0.0").close())
                .rootCause()
                .hasMessageContaining("only listens on loopback");
    }
}
