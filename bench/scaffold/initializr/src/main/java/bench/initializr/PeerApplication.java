package bench.initializr;

import io.spring.initializr.web.support.InitializrMetadataUpdateStrategy;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;

/**
 * The Spring Initializr peer of bench/scaffold: initializr-web's auto-configuration serves the
 * metadata, /dependencies and /starter.zip from the {@code initializr:} section of
 * application.yml, with initializr-generator-spring's project contributors.
 */
@SpringBootApplication
@EnableCaching
public class PeerApplication {

	/**
	 * The metadata is application.yml's and nothing else: start.spring.io's strategy fetches the
	 * current Boot versions from spring.io, which a benchmark on loopback must not do. initializr-web
	 * already defaults to keeping the metadata as is; this bean says so where it can be read.
	 */
	@Bean
	InitializrMetadataUpdateStrategy offlineMetadata() {
		return (metadata) -> metadata;
	}

	public static void main(String[] args) {
		SpringApplication.run(PeerApplication.class, args);
	}

}
