package ${{ values.packageName }}.security;

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
