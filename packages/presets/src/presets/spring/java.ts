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

export const securityConfig = (j: JavaProject) => `package ${j.packageName}.security;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

@Configuration
public class SecurityConfig {

    /** Health probes come from the kubelet without a session; everything else needs a login. */
    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(auth -> auth
                .requestMatchers("/healthz", "/healthz/**", "/livez", "/readyz", "/error").permitAll()
                .anyRequest().authenticated())
            .oauth2Login(Customizer.withDefaults())
            .logout(logout -> logout.logoutSuccessUrl("/"));
        return http.build();
    }
}
`;

export const meController = (j: JavaProject) => `package ${j.packageName}.security;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class MeController {

    /** The signed-in user as the issuer describes them; absent claims are left out. */
    @GetMapping("/api/me")
    public Map<String, String> me(@AuthenticationPrincipal OidcUser user) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("subject", user.getSubject());
        if (user.getFullName() != null) {
            out.put("name", user.getFullName());
        }
        if (user.getEmail() != null) {
            out.put("email", user.getEmail());
        }
        return out;
    }
}
`;

export const meControllerTest = (j: JavaProject) => `package ${j.packageName}.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;

class MeControllerTest {

    private final MeController controller = new MeController();

    private static DefaultOidcUser user(Map<String, Object> claims) {
        var token = new OidcIdToken("token", Instant.now(), Instant.now().plusSeconds(60), claims);
        return new DefaultOidcUser(List.of(new SimpleGrantedAuthority("OIDC_USER")), token);
    }

    @Test
    void describesTheSignedInUser() {
        var me = controller.me(user(Map.of("sub", "42", "name", "Ada Lovelace", "email", "ada@example.com")));
        assertThat(me).containsEntry("subject", "42")
            .containsEntry("name", "Ada Lovelace")
            .containsEntry("email", "ada@example.com");
    }

    @Test
    void leavesOutClaimsTheIssuerDidNotSend() {
        var me = controller.me(user(Map.of("sub", "42")));
        assertThat(me).containsOnlyKeys("subject");
    }
}
`;

export const migration = () => `-- Owned by Flyway: never edit an applied migration, add V2__... instead.
-- Types match what Hibernate expects for Note, because it runs with ddl-auto: validate.
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
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** The signed-in user's notes: the smallest feature that exercises login, JPA and Flyway together. */
@RestController
@RequestMapping("/api/notes")
public class NoteController {

    public record NewNote(String text) {}

    private final NoteRepository notes;

    public NoteController(NoteRepository notes) {
        this.notes = notes;
    }

    @GetMapping
    public List<Note> list(@AuthenticationPrincipal OidcUser user) {
        return notes.findTop50ByAuthorOrderByCreatedAtDesc(user.getSubject());
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    public Note create(@AuthenticationPrincipal OidcUser user, @RequestBody NewNote body) {
        if (body.text() == null || body.text().isBlank() || body.text().length() > 10_000) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "text must be 1 to 10000 characters");
        }
        return notes.save(new Note(user.getSubject(), body.text()));
    }
}
`;
