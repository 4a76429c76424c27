package io.mongolb.embedded.server;

import java.util.List;

import de.bwaldvogel.mongo.MongoVersion;

/**
 * The MongoDB release a {@code maxWireVersion} stands for, so that {@code buildInfo} and
 * {@code serverStatus} report the version the fronts' {@code hello} implies. The table:
 * <table>
 * <caption>maxWireVersion to version</caption>
 * <tr>
 * <th>maxWireVersion</th>
 * <th>version</th>
 * </tr>
 * <tr>
 * <td>13</td>
 * <td>5.0.0</td>
 * </tr>
 * <tr>
 * <td>14, 15, 16</td>
 * <td>5.1.0, 5.2.0, 5.3.0</td>
 * </tr>
 * <tr>
 * <td>17</td>
 * <td>6.0.0</td>
 * </tr>
 * <tr>
 * <td>18, 19, 20</td>
 * <td>6.1.0, 6.2.0, 6.3.0</td>
 * </tr>
 * <tr>
 * <td>21</td>
 * <td>7.0.0</td>
 * </tr>
 * <tr>
 * <td>22, 23, 24</td>
 * <td>7.1.0, 7.2.0, 7.3.0</td>
 * </tr>
 * <tr>
 * <td>25</td>
 * <td>8.0.0</td>
 * </tr>
 * <tr>
 * <td>26, 27</td>
 * <td>8.1.0, 8.2.0</td>
 * </tr>
 * <tr>
 * <td>28 and above</td>
 * <td>8.2.0 (the newest release known here)</td>
 * </tr>
 * </table>
 */
final class ServerVersionTable implements MongoVersion {

	/** Versions by wire version, from 13 on: major, minor. */
	private static final int[][] VERSIONS = { { 5, 0 }, { 5, 1 }, { 5, 2 }, { 5, 3 }, { 6, 0 }, { 6, 1 }, { 6, 2 },
			{ 6, 3 }, { 7, 0 }, { 7, 1 }, { 7, 2 }, { 7, 3 }, { 8, 0 }, { 8, 1 }, { 8, 2 } };

	private final int wireVersion;

	private final List<Integer> versionArray;

	ServerVersionTable(int maxWireVersion) {
		this.wireVersion = maxWireVersion;
		int index = Math.min(Math.max(maxWireVersion - EmbeddedLoadBalancedMongoSettings.MIN_MAX_WIRE_VERSION, 0),
				VERSIONS.length - 1);
		this.versionArray = List.of(VERSIONS[index][0], VERSIONS[index][1], 0, 0);
	}

	@Override
	public List<Integer> getVersionArray() {
		return this.versionArray;
	}

	/**
	 * Returns the version as {@code buildInfo.version} gives it, e.g. {@code 7.0.0}.
	 * @return the version
	 */
	@Override
	public String toVersionString() {
		return this.versionArray.get(0) + "." + this.versionArray.get(1) + "." + this.versionArray.get(2);
	}

	@Override
	public int getWireVersion() {
		return this.wireVersion;
	}

}
