package ${{ values.packageName }}.note;

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
