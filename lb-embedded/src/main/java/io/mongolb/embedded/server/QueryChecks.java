package io.mongolb.embedded.server;

import java.util.List;

import de.bwaldvogel.mongo.backend.DefaultQueryMatcher;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import org.jspecify.annotations.Nullable;

/**
 * Checks a query filter as mongod parses it, before and whatever the data: the memory
 * backend only looks at a filter while matching documents, so on an empty collection
 * {@code {$or: true}} would pass. Each top-level condition (and each branch of
 * {@code $and}, {@code $or}, {@code $nor}) is matched, on its own, against an empty
 * document, which makes the matcher parse it.
 */
final class QueryChecks {

	private QueryChecks() {
	}

	/**
	 * Checks a filter.
	 * @param filter the filter, {@code null} for none
	 * @return the error mongod would answer, or {@code null} if the filter parses
	 */
	static @Nullable Document check(@Nullable Object filter) {
		if (!(filter instanceof Document document)) {
			return null;
		}
		try {
			check(document, new DefaultQueryMatcher(), 0);
			return null;
		}
		catch (MongoServerError ex) {
			return SharedStore.error(ex.getCode(), ex.getCodeName(), ex.getMessageWithoutErrorCode());
		}
	}

	private static void check(Document filter, DefaultQueryMatcher matcher, int depth) {
		Document empty = new Document();
		for (String key : filter.keySet()) {
			Object condition = filter.get(key);
			matcher.matches(empty, new Document(key, condition));
			if (depth < 20 && (key.equals("$and") || key.equals("$or") || key.equals("$nor"))
					&& condition instanceof List<?> branches) {
				for (Object branch : branches) {
					if (branch instanceof Document document) {
						check(document, matcher, depth + 1);
					}
				}
			}
		}
	}

}
