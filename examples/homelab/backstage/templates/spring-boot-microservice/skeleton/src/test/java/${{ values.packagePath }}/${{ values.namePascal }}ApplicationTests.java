package ${{ values.packageName }};

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ${{ values.namePascal }}ApplicationTests {

    @Autowired
    private TestRestTemplate http;

    @Test
    void probesAreUpOnTheMainPort() {
        for (String path : new String[] {"/healthz", "/livez", "/readyz"}) {
            var response = http.getForEntity(path, String.class);
            assertThat(response.getStatusCode()).as(path).isEqualTo(HttpStatus.OK);
            assertThat(response.getBody()).as(path).contains("\"UP\"");
        }
    }

    @Test
    void greetsByName() {
        var greeting = http.getForObject("/api/hello?name=Ada", GreetingController.Greeting.class);
        assertThat(greeting.message()).isEqualTo("Hello, Ada!");
    }
}
