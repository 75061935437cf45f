package ${{ values.packageName }};

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class ${{ values.namePascal }}Application {

    public static void main(String[] args) {
        SpringApplication.run(${{ values.namePascal }}Application.class, args);
    }
}
